// The comment form on a cached article page: fetch this reader's CSRF token and start time
// before posting, and count the characters left. Without JavaScript the form still posts:
// the server hands it back, filled in, to be confirmed.
(function () {
  "use strict";
  var STEPS = [50, 20, 10, 0];

  function length(text) {
    // Code points, as the server counts them; line breaks count once.
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  function setUpCounter(form) {
    var field = form.querySelector("textarea[maxlength]");
    var shown = form.querySelector("[data-comment-count]");
    var spoken = form.querySelector("[data-comment-announce]");
    if (!field || !shown) return;
    var limit = Number(field.getAttribute("maxlength"));
    var lastStep = null;
    function update() {
      var left = limit - length(field.value);
      shown.textContent = left >= 0
        ? left + (left === 1 ? " character" : " characters") + " left"
        : -left + " too many characters";
      shown.classList.toggle("comment-form__count--over", left < 0);
      // Tell screen reader users at a few thresholds, not at every key.
      var step = STEPS.filter(function (s) { return left <= s; }).pop();
      if (step !== undefined && step !== lastStep && spoken) spoken.textContent = shown.textContent;
      lastStep = step === undefined ? null : step;
    }
    shown.hidden = false;
    field.addEventListener("input", update);
    update();
  }

  function setUpKey(form) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var started = form.querySelector("input[name=started]");
    if (!token || token.value) return;  // a page that is not cached has its own token
    var pending = null;
    function fetchKey() {
      if (!pending) {
        pending = fetch(form.dataset.keyUrl, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) { return response.ok ? response.json() : {}; })
          .then(function (key) {
            if (key.csrfmiddlewaretoken) token.value = key.csrfmiddlewaretoken;
            if (key.started && started) started.value = key.started;
          })
          .catch(function () { pending = null; });
      }
      return pending;
    }
    form.addEventListener("focusin", fetchKey, { once: true });
    form.addEventListener("submit", function (event) {
      if (token.value) return;
      event.preventDefault();
      var done = function () { form.submit(); };
      (fetchKey() || Promise.resolve()).then(done, done);
    });
  }

  document.querySelectorAll(".comment-form").forEach(function (form) {
    setUpCounter(form);
    setUpKey(form);
  });
})();
