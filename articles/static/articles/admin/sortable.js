/* Drag and drop for the admin's tabular inlines marked "nr-sortable" (zones of a front, pinned
   stories of a zone): dragging a row renumbers the slot or position fields in the new order.
   Typing the numbers works as well, with or without this script. */
(function () {
  "use strict";
  function numberField(row) {
    return row.querySelector("input[name$='-slot'], input[name$='-position']");
  }
  function isFilled(row) {
    if (row.classList.contains("empty-form")) return false;
    if (row.classList.contains("has_original")) return true;
    return Array.from(row.querySelectorAll("select, input[type=text], input[type=number]")).some(
      function (field) { return field !== numberField(row) && field.value; }
    );
  }
  function renumber(tbody) {
    var rows = Array.from(tbody.querySelectorAll("tr.form-row")).filter(isFilled);
    var first = rows.length && numberField(rows[0]) && numberField(rows[0]).name.endsWith("-slot") ? 1 : 0;
    rows.forEach(function (row, index) {
      var field = numberField(row);
      if (field) {
        field.value = index + first;
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }
  function setUp(group) {
    var tbody = group.querySelector("tbody");
    if (!tbody || tbody.dataset.sortable) return;
    tbody.dataset.sortable = "1";
    var dragged = null;
    tbody.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("tr.form-row");
      if (dragged) { dragged.classList.add("nr-dragging"); event.dataTransfer.effectAllowed = "move"; }
    });
    tbody.addEventListener("dragover", function (event) {
      var over = event.target.closest("tr.form-row");
      if (!dragged || !over || over === dragged || over.classList.contains("empty-form")) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      tbody.insertBefore(dragged, after ? over.nextSibling : over);
    });
    tbody.addEventListener("drop", function (event) { event.preventDefault(); });
    tbody.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("nr-dragging");
      dragged = null;
      renumber(tbody);
    });
    function markRows() {
      tbody.querySelectorAll("tr.form-row:not(.empty-form)").forEach(function (row) {
        if (row.draggable) return;
        row.draggable = true;
        var cell = row.querySelector("td.field-position, td.field-slot") || row.firstElementChild;
        if (cell && !cell.querySelector(".nr-drag-handle")) {
          var handle = document.createElement("span");
          handle.className = "nr-drag-handle";
          handle.title = "Drag to reorder";
          handle.setAttribute("aria-hidden", "true");
          handle.textContent = "↕";
          cell.prepend(handle);
        }
      });
    }
    markRows();
    document.addEventListener("formset:added", markRows);
  }
  function init() { document.querySelectorAll(".nr-sortable").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
