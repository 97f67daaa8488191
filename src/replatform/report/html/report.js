/* Filtering and sorting of the findings table. Reads data-* attributes only; never builds HTML. */
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (row, index) { row.setAttribute("data-order", String(index)); });
  var controls = document.getElementById("findings-controls");
  var severity = document.getElementById("filter-severity");
  var rule = document.getElementById("filter-rule");
  var path = document.getElementById("filter-path");
  var state = document.getElementById("filter-baseline");
  var shown = document.getElementById("findings-shown");
  controls.hidden = false;

  function matches(row) {
    var text = path.value.trim().toLowerCase();
    return (!severity.value || row.getAttribute("data-severity") === severity.value) &&
      (!rule.value || row.getAttribute("data-rule") === rule.value) &&
      (!text || row.getAttribute("data-path").toLowerCase().indexOf(text) !== -1) &&
      (!state || !state.value || row.getAttribute("data-baseline") === state.value);
  }

  function filter() {
    var count = 0;
    rows.forEach(function (row) {
      var ok = matches(row);
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " findings shown";
  }

  [severity, rule, state].forEach(function (element) {
    if (element) { element.addEventListener("change", filter); }
  });
  path.addEventListener("input", filter);

  var headers = Array.prototype.slice.call(table.tHead.querySelectorAll("th[data-sort-type]"));
  function key(row, column, numeric) {
    var value = row.cells[column].getAttribute("data-sort");
    if (value === null) { value = row.cells[column].textContent; }
    return numeric ? parseFloat(value) : value.toLowerCase();
  }
  headers.forEach(function (header) {
    header.querySelector("button").addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      var column = header.cellIndex;
      var numeric = header.getAttribute("data-sort-type") === "number";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = key(a, column, numeric), y = key(b, column, numeric);
        var order = x < y ? -1 : (x > y ? 1 : 0);
        if (!ascending) { order = -order; }
        return order || (parseInt(a.getAttribute("data-order"), 10) - parseInt(b.getAttribute("data-order"), 10));
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });

  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
  filter();
}());
