/* Shows what a chosen photo's own metadata proposes (caption, credit, place, rights) under the
   file box, each with a button to use it; nothing is put in a field unless the editor presses
   one. The file is checked and read by the server (articles/admin/photo_metadata.py). */
(function () {
  "use strict";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function setValue(field, value) {
    field.value = value;
    // As if typed: the unsaved-changes warning and the draft keeper hear of it.
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function start(input) {
    var form = input.form;
    var panel = element("div", "nr-photo-metadata");
    panel.setAttribute("aria-live", "polite");
    panel.hidden = true;
    // Below the file box and its help text, lined up with the fields.
    var anchor = document.getElementById(input.id + "_helptext") ||
      input.closest(".flex-container") || input;
    anchor.insertAdjacentElement("afterend", panel);
    var rows = [];
    var request = null;

    function refresh() {
      rows.forEach(function (row) { row.refresh(); });
    }

    function proposalRow(proposal) {
      var field = document.getElementById("id_" + proposal.field);
      var row = element("tr");
      row.dataset.field = proposal.field;
      row.appendChild(element("th", "", proposal.label));
      var cell = element("td");
      cell.appendChild(element("div", "nr-photo-metadata__value", proposal.value));
      if (proposal.shortened) {
        cell.appendChild(element("div", "nr-photo-metadata__note",
          "Cut to the " + field.maxLength + " characters this field takes."));
      }
      var typed = element("div", "nr-photo-metadata__note");
      cell.appendChild(typed);
      row.appendChild(cell);
      var action = element("td");
      var button = element("button", "button");
      button.type = "button";
      action.appendChild(button);
      row.appendChild(action);
      button.addEventListener("click", function () {
        setValue(field, proposal.value);
        refresh();
      });
      var entry = {
        empty: function () { return !field.value.trim(); },
        use: function () { setValue(field, proposal.value); },
        refresh: function () {
          var current = field.value.trim();
          var inUse = current === proposal.value;
          button.disabled = inUse;
          button.textContent = inUse ? "In use" : (current ? "Replace" : "Use");
          button.title = inUse ? "" : (current
            ? "Put this in " + proposal.label + " instead of what is there"
            : "Put this in " + proposal.label);
          typed.textContent = current && !inUse ? "The field now has: " + current : "";
        },
      };
      rows.push(entry);
      entry.refresh();
      return row;
    }

    function show(data, fileName) {
      panel.replaceChildren();
      rows = [];
      var heading = "In the file " + fileName;
      if (data.taken_on) { heading += ", taken on " + data.taken_on; }
      panel.appendChild(element("p", "nr-photo-metadata__heading", heading));
      if (!data.proposals.length) {
        panel.appendChild(element("p", "nr-photo-metadata__note",
          "No caption, credit or rights are written in this file."));
        return;
      }
      var table = element("table");
      var body = element("tbody");
      data.proposals.forEach(function (proposal) {
        if (document.getElementById("id_" + proposal.field)) {
          body.appendChild(proposalRow(proposal));
        }
      });
      table.appendChild(body);
      panel.appendChild(table);
      var footer = element("p", "nr-photo-metadata__actions");
      var all = element("button", "button default", "Use all");
      all.type = "button";
      all.addEventListener("click", function () {
        rows.forEach(function (row) { if (row.empty()) { row.use(); } });
        refresh();
      });
      footer.appendChild(all);
      footer.appendChild(element("span", "nr-photo-metadata__note",
        " Fills the empty fields; what you typed is kept unless you press Replace. " +
        "Nothing here is saved unless you use it."));
      panel.appendChild(footer);
    }

    function message(text, className) {
      panel.replaceChildren(element("p", className, text));
      panel.classList.toggle("nr-photo-metadata--refused", className === "errornote");
      panel.hidden = false;
    }

    input.addEventListener("change", function () {
      if (request) { request.abort(); }
      rows = [];
      var file = input.files && input.files[0];
      if (!file) {
        panel.hidden = true;
        panel.replaceChildren();
        return;
      }
      message("Reading the caption and credit written in the photo…", "nr-photo-metadata__note");
      var payload = new FormData();
      payload.append("image", file);
      payload.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      request = new AbortController();
      fetch(input.dataset.metadataUrl, {
        method: "POST",
        body: payload,
        credentials: "same-origin",
        signal: request.signal,
      })
        .then(function (response) {
          return response.json().catch(function () {
            throw new Error("The server could not read the photo (" + response.status + ").");
          }).then(function (data) {
            if (!response.ok) { throw new Error(data.error || "The server refused the photo."); }
            return data;
          });
        })
        .then(function (data) {
          panel.classList.remove("nr-photo-metadata--refused");
          show(data, file.name);
          panel.hidden = false;
        })
        .catch(function (error) {
          if (error.name === "AbortError") { return; }
          message(error.message, "errornote");
        });
    });
    form.addEventListener("input", refresh);
  }

  function startAll() {
    document.querySelectorAll("input[type=file][data-metadata-url]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
