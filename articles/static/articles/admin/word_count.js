/* The body's word count and reading time, under the editor, as the reporter types. */
(function () {
  "use strict";
  var WORDS_PER_MINUTE = 230;

  function describe(text) {
    var words = (text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) || []).length;
    var minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
    return words + (words === 1 ? " word" : " words") + " · about " + minutes + " min read";
  }

  document.addEventListener("prose-editor:ready", function (event) {
    var editor = event.detail.editor;
    var line = document.createElement("p");
    line.className = "nr-word-count";
    line.setAttribute("aria-live", "polite");
    var container = event.detail.textarea.closest(".prose-editor") || event.detail.textarea.parentElement;
    container.append(line);
    function update() { line.textContent = describe(editor.getText({ blockSeparator: " " })); }
    editor.on("update", update);
    update();
  });
})();
