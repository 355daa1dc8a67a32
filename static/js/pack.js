// The packer's page: a keyboard-wedge scanner's code goes into the scan field and is sent at once (a carton
// label opens that carton, a bundle is packed into the open one); after each answer the field has the focus
// again and a packed bundle buzzes.
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
    if (window.ShopfloorReader) window.ShopfloorReader.wedge(send, null);
  });
  document.addEventListener("htmx:after:swap", focusAgain);
  function focusAgain() {
    var input = field();
    if (input) input.focus();
    if (document.querySelector('#pack-carton [data-kind="ok"]') && navigator.vibrate) navigator.vibrate(60);
  }
})();
