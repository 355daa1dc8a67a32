// Small behaviours every page may use, declared in the markup instead of inline handlers (the CSP allows none):
//   <button data-print>      prints the page
//   <select data-autosubmit> submits its form when changed
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest("[data-print]")) window.print();
});
// The current page's link in a nav that scrolls sideways (phones, tablets) is brought into view.
document.addEventListener("DOMContentLoaded", function () {
  var current = document.querySelector(".nav [aria-current=page]"), nav = current && current.parentNode;
  if (nav && nav.scrollWidth > nav.clientWidth) {
    var offset = current.getBoundingClientRect().left - nav.getBoundingClientRect().left;
    nav.scrollLeft += offset - (nav.clientWidth - current.offsetWidth) / 2;
  }
});
// A timeline wider than its card (the schedule on a phone) opens with today in view, not its earliest date, and
// keeps the orders' names (<g class="names">) at its left edge as it scrolls sideways.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("svg.gantt").forEach(function (svg) {
    var today = svg.querySelector("line.today"), names = svg.querySelector("g.names"), wrap = svg.parentNode;
    var box = svg.viewBox.baseVal;
    if (!today || !names || !box || !box.width || wrap.scrollWidth <= wrap.clientWidth) return;
    var scale = svg.getBoundingClientRect().width / box.width, column = (+svg.dataset.namesWidth || 0) * scale;
    function stick() { names.setAttribute("transform", "translate(" + wrap.scrollLeft / scale + ",0)"); }
    wrap.addEventListener("scroll", stick, {passive: true});
    // today a third of the way across what the names leave visible
    wrap.scrollLeft = today.x1.baseVal.value * scale - column - (wrap.clientWidth - column) / 3;
    stick();
  });
});
document.addEventListener("change", function (e) {
  if (e.target.matches && e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.submit();
});

// <table data-grid-totals> (the order grid): row, column and grand totals kept as quantities are typed;
// <button data-add-row> after it adds an empty colour row (fields colour-<n>, qty-<n>-<size>; any number of rows).
function gridTotals(table) {
  var cols = [], grand = 0;
  table.querySelectorAll("tbody [data-grid-row]").forEach(function (row) {
    var sum = 0;
    row.querySelectorAll("input[data-size]").forEach(function (input) {
      var n = parseInt(input.value, 10) || 0, i = +input.dataset.size;
      sum += n;
      cols[i] = (cols[i] || 0) + n;
    });
    row.querySelector("[data-row-total]").textContent = sum;
    grand += sum;
  });
  table.querySelectorAll("tfoot [data-col-total]").forEach(function (cell, i) { cell.textContent = cols[i] || 0; });
  table.querySelector("tfoot [data-grand-total]").textContent = grand;
}
document.addEventListener("input", function (e) {
  var table = e.target.closest && e.target.closest("[data-grid-totals]");
  if (table) gridTotals(table);
});
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-add-row]");
  if (!button) return;
  var table = button.parentNode.querySelector("[data-grid-totals]");
  var rows = table.querySelectorAll("tbody [data-grid-row]");
  var last = rows[rows.length - 1], copy = last.cloneNode(true), next = 0;
  rows.forEach(function (row) {
    var n = parseInt(row.querySelector("input").name.split("-")[1], 10);
    if (n >= next) next = n + 1;
  });
  copy.querySelectorAll("input").forEach(function (input) {
    input.name = input.name.replace(/^(colour|qty)-\d+/, "$1-" + next);
    input.value = "";
  });
  last.parentNode.appendChild(copy);
  gridTotals(table);
  copy.querySelector("input").focus();
});
