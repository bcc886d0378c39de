/* Keeps the "Search and social" preview in step with the form as the editor types. An empty
   field falls back to the article's own value, as the public page does (articles/metadata.py). */
(function () {
  "use strict";

  function value(id) {
    var field = document.getElementById(id);
    return field ? field.value.split(/\s+/).filter(Boolean).join(" ") : "";
  }

  function cutChars(text, length) {
    return text.length > length ? text.slice(0, length - 1).trimEnd() + "…" : text;
  }

  function cutWords(text, count) {
    var words = text.split(/\s+/).filter(Boolean);
    return words.length > count ? words.slice(0, count).join(" ") + "…" : words.join(" ");
  }

  function lede(html) {
    var first = new DOMParser().parseFromString(html, "text/html").querySelector("p");
    return first ? first.textContent : "";
  }

  function start() {
    var preview = document.querySelector(".nr-share-preview");
    if (!preview) { return; }
    var length = Number(preview.dataset.descriptionLength);
    var words = Number(preview.dataset.summaryWords);
    var bodyHtml = null;  // Until the editor reports, the body as the page was loaded.

    function show(name, text) {
      preview.querySelector('[data-preview="' + name + '"]').textContent = text;
    }

    function update() {
      var headline = value("id_headline");
      var body = document.getElementById("id_body");
      var summary = value("id_dek") || cutWords(lede(bodyHtml !== null ? bodyHtml : (body ? body.value : "")), words);
      var description = cutChars(value("id_seo_description") || summary, length);
      show("title", value("id_seo_title") || headline);
      show("description", description);
      show("social-title", value("id_social_headline") || headline);
      show("social-description", value("id_social_description") || description);
    }

    document.getElementById("article_form").addEventListener("input", update);
    ["id_lead_image", "id_social_image"].forEach(function (id) {
      var select = document.getElementById(id);
      if (!select || !window.django || !django.jQuery) { return; }
      var initial = select.value;
      django.jQuery(select).on("change", function () {
        preview.querySelector('[data-preview="image-note"]').hidden = select.value === initial;
      });
    });
    document.addEventListener("prose-editor:ready", function (event) {
      if (event.detail.textarea.id !== "id_body") { return; }
      event.detail.editor.on("update", function () {
        bodyHtml = event.detail.editor.getHTML();
        update();
      });
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
