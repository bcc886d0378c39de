/* Shows what a chosen photo's own metadata proposes (caption, credit, place, rights, sources)
   under the file box, each with a button to use it; nothing is put in a field unless the editor
   presses one. The file is checked and read by the server (articles/admin/photo_metadata.py). */
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

    // A text field: "Use" fills it when empty, "Replace" puts the file's text over the
    // editor's, which is shown so they see what they would lose.
    function textField(proposal, typed) {
      var field = document.getElementById("id_" + proposal.field);
      return {
        empty: function () { return !field.value.trim(); },
        inUse: function () { return field.value.trim() === proposal.value; },
        use: function () { setValue(field, proposal.value); },
        describe: function (button) {
          var current = field.value.trim();
          button.textContent = current ? "Replace" : "Use";
          button.title = (current ? "Put this in " + proposal.label + " instead of what is there"
            : "Put this in " + proposal.label);
          typed.textContent = current && !this.inUse() ? "The field now has: " + current : "";
        },
      };
    }

    // The sources box (the admin's two-list chooser, or a plain list without its script):
    // "Use" adds the listed sources the file names; none already chosen is taken away.
    function sourcesField(proposal) {
      var chosen = document.getElementById("id_sources_to");
      var plain = document.getElementById("id_sources");
      function chosenIds() {
        var options = chosen ? chosen.options : Array.prototype.filter.call(
          plain.options, function (option) { return option.selected; });
        return Array.prototype.map.call(options, function (option) { return option.value; });
      }
      var wanted = proposal.choices.map(String);
      return {
        empty: function () { return true; },
        inUse: function () {
          var ids = chosenIds();
          return wanted.every(function (id) { return ids.indexOf(id) >= 0; });
        },
        use: function () {
          if (chosen && window.SelectBox && window.SelectFilter) {
            Array.prototype.forEach.call(document.getElementById("id_sources_from").options,
              function (option) { option.selected = wanted.indexOf(option.value) >= 0; });
            SelectBox.move("id_sources_from", "id_sources_to");
            SelectFilter.refresh_icons("id_sources");
          } else {
            Array.prototype.forEach.call(plain.options, function (option) {
              if (wanted.indexOf(option.value) >= 0) { option.selected = true; }
            });
          }
          (chosen || plain).dispatchEvent(new Event("change", { bubbles: true }));
        },
        describe: function (button) {
          button.textContent = "Use";
          button.title = "Add these to the chosen sources";
        },
      };
    }

    function proposalRow(proposal) {
      var row = element("tr");
      row.dataset.field = proposal.field;
      row.appendChild(element("th", "", proposal.label));
      var cell = element("td");
      cell.appendChild(element("div", "nr-photo-metadata__value", proposal.value));
      cell.appendChild(element("div", "nr-photo-metadata__note", proposal.note));
      var typed = element("div", "nr-photo-metadata__note");
      cell.appendChild(typed);
      row.appendChild(cell);
      var action = element("td");
      row.appendChild(action);
      if (proposal.choices && !proposal.choices.length) { return row; }  // A note alone.
      var target = proposal.choices ? sourcesField(proposal) : textField(proposal, typed);
      var button = element("button", "button");
      button.type = "button";
      action.appendChild(button);
      button.addEventListener("click", function () {
        target.use();
        refresh();
      });
      target.refresh = function () {
        var inUse = target.inUse();
        button.disabled = inUse;
        if (inUse) {
          button.textContent = "In use";
          button.title = "";
          typed.textContent = "";
        } else {
          target.describe(button);
        }
      };
      rows.push(target);
      target.refresh();
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
        // The sources list is renamed "_from" once the admin's two-list chooser starts.
        var id = "id_" + proposal.field;
        if (document.getElementById(id) || document.getElementById(id + "_from")) {
          body.appendChild(proposalRow(proposal));
        }
      });
      table.appendChild(body);
      panel.appendChild(table);
      if (!rows.length) { return; }  // Nothing to use: no "Use all".
      var footer = element("p", "nr-photo-metadata__actions");
      var all = element("button", "button default", "Use all");
      all.type = "button";
      all.addEventListener("click", function () {
        rows.forEach(function (row) { if (row.empty() && !row.inUse()) { row.use(); } });
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
    form.addEventListener("change", refresh);
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
