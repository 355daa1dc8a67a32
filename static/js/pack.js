// The packer's page: a keyboard-wedge scanner's code, or the camera's (carton labels are Code 128, tickets QR),
// goes into the scan field and is sent at once (a carton label opens that carton, a bundle is packed into the
// open one); after each answer the field has the focus again and a packed bundle buzzes.
(function () {
  "use strict";
  function field() { return document.getElementById("pack-code"); }
  function send(code) {
    var input = field();
    if (!input) return;
    input.value = code;
    if (input.form.requestSubmit) input.form.requestSubmit(); else input.form.submit();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var reader = window.ShopfloorReader, box = document.getElementById("pack-reader");
    if (!reader) return;
    reader.wedge(send, null);
    var T = JSON.parse(document.getElementById("pack-text").textContent);
    reader.camera({
      button: document.getElementById("camera-button"), dialog: document.getElementById("camera"),
      hint: document.getElementById("camera-hint"), polyfill: box.dataset.polyfill, wasmBase: box.dataset.wasmBase,
      formats: ["code_128", "qr_code"],
      text: { starting: T.camera_starting, point: T.camera_point, failed: T.camera_failed }
    }, send);
  });
  document.addEventListener("htmx:after:swap", focusAgain);
  function focusAgain() {
    var input = field();
    if (input) input.focus();
    if (document.querySelector('#pack-carton [data-kind="ok"]') && navigator.vibrate) navigator.vibrate(60);
  }
})();
