/* Nothing typed is lost on the article form:
   - leaving the page with unsaved changes asks first;
   - every few seconds, what was typed since is kept on the server (one draft per person and
     article), and opening the form again offers it back until the article is saved. */
(function () {
  "use strict";
  var KEEP_EVERY_MS = 10000;
  var editors = [];
  // Registered before the body editor starts, so its "ready" event is heard.
  document.addEventListener("prose-editor:ready", function (event) {
    editors.push(event.detail);
    event.detail.editor.on("update", function () { changed(); });
  });

  var form, keepUrl, statusLine, dirty = false, unsent = false, submitting = false;

  function changed() { dirty = true; unsent = true; }

  function csrfToken() {
    var field = form.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function collect() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") return;
      if (Object.prototype.hasOwnProperty.call(data, name)) data[name] = [].concat(data[name], value);
      else data[name] = value;
    });
    return data;
  }

  function say(text) { if (statusLine) statusLine.textContent = text; }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function keep() {
    if (!unsent || submitting) return;
    unsent = false;
    fetch(keepUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(collect()),
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (reply) {
      say("Draft kept at " + clock(reply.draft.saved_at) + ". Save to publish your changes.");
    }).catch(function () {
      unsent = true;
      say("Could not keep a draft just now; it will be tried again.");
    });
  }

  // Only the article's own fields come back: inline rows may have changed since, and the
  // form's version (optimistic lock) must stay the one just loaded.
  function restorable(name) { return name.indexOf("-") === -1 && name !== "loaded_version"; }

  function restore(fields) {
    Object.keys(fields).forEach(function (name) {
      var value = fields[name];
      if (!restorable(name) || typeof value !== "string") return;
      var editor = editors.find(function (item) { return item.textarea.name === name; });
      if (editor) {
        editor.textarea.value = value;
        editor.editor.commands.setContent(value, true);
        return;
      }
      var field = form.elements.namedItem(name);
      if (!field || field.type === "hidden" || field.type === "checkbox" || field.type === "file") return;
      if (field.tagName === "SELECT" && !Array.from(field.options).some(function (o) { return o.value === value; })) return;
      field.value = value;
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    changed();
  }

  function offer(draft) {
    var box = document.createElement("div");
    box.className = "nr-recover";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = "You have changes from " + clock(draft.saved_at) +
      " that were never saved (the page was closed or the connection lost).";
    var restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "button";
    restoreButton.textContent = "Restore them";
    var discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.className = "button";
    discardButton.textContent = "Discard";
    restoreButton.addEventListener("click", function () {
      restore(draft.fields);
      box.remove();
      say("Restored the changes from " + clock(draft.saved_at) + ". Check them, then save.");
    });
    discardButton.addEventListener("click", function () {
      fetch(keepUrl, { method: "DELETE", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } });
      box.remove();
    });
    box.append(text, restoreButton, " ", discardButton);
    form.prepend(box);
  }

  function start() {
    var anchor = document.getElementById("nr-keep");
    if (!anchor) return;
    form = anchor.closest("form");
    keepUrl = anchor.dataset.url;
    statusLine = anchor;
    form.addEventListener("input", changed);
    form.addEventListener("change", function (event) { if (event.isTrusted) changed(); });
    form.addEventListener("submit", function () { submitting = true; dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      keep();
      event.preventDefault();
      event.returnValue = "";
    });
    setInterval(keep, KEEP_EVERY_MS);
    fetch(keepUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { draft: null }; })
      .then(function (reply) { if (reply.draft) offer(reply.draft); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
