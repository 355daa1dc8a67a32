// Gate page: a badge read by a scanner anywhere on the page, or by the camera, clocks in or out (the form's
// htmx post replaces #gate with the answer and a fresh form, so the next badge can be read at once).
(function () {
  "use strict";
  if (!window.ShopfloorReader) return;
  function punch(code) {
    code = (code || "").trim();
    var form = document.getElementById("gate-form");
    if (!code || !form) return;
    form.querySelector("input[name=badge]").value = code;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }
  ShopfloorReader.wedge(punch, document.getElementById("badge"));
  var button = document.getElementById("camera-button");
  ShopfloorReader.camera({
    button: button, dialog: document.getElementById("camera"),
    hint: document.getElementById("camera-hint"), polyfill: button.dataset.polyfill, wasmBase: button.dataset.wasmBase,
    text: JSON.parse(document.getElementById("reader-text").textContent)
  }, punch);
  document.body.addEventListener("htmx:afterSwap", function () {
    if (navigator.vibrate && document.querySelector("[data-punch]")) navigator.vibrate(120);
  });
})();
