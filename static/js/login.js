// Sign-in page: a shared phone forgets the previous user's cached scan page.
if (window.caches) caches.delete("shopfloor-pages-v1");

// One badge scan signs in (a scanner anywhere on the page, or the camera), replacing whoever had the phone.
(function () {
  "use strict";
  var form = document.getElementById("badge-scan");
  if (!form || !window.ShopfloorReader) return;
  function signIn(code) {
    code = (code || "").trim();
    if (!code) return;
    form.querySelector("input[name=badge]").value = code;
    form.submit();
  }
  ShopfloorReader.wedge(signIn, document.getElementById("badge"));
  var button = document.getElementById("camera-button");
  ShopfloorReader.camera({
    button: button, dialog: document.getElementById("camera"),
    hint: document.getElementById("camera-hint"), polyfill: button.dataset.polyfill, wasmBase: button.dataset.wasmBase,
    text: JSON.parse(document.getElementById("reader-text").textContent)
  }, signIn);
})();
