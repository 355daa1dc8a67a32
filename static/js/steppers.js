// +/- buttons next to number inputs (defect tiles): <button data-step="1"> adjusts the input in the same tile.
document.addEventListener("click", function (e) {
  var btn = e.target.closest("[data-step]");
  if (!btn) return;
  e.preventDefault();
  var input = btn.closest("[data-stepper]").querySelector("input[type=number]");
  var next = Math.max(0, (parseInt(input.value, 10) || 0) + Number(btn.dataset.step));
  input.value = next;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  btn.closest("[data-stepper]").classList.toggle("has-count", next > 0);
});
