// Small behaviours every page may use, declared in the markup instead of inline handlers (the CSP allows none):
//   <button data-print>      prints the page
//   <select data-autosubmit> submits its form when changed
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest("[data-print]")) window.print();
});
document.addEventListener("change", function (e) {
  if (e.target.matches && e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.submit();
});
