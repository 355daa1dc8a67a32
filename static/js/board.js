// Wall board: every poll of #board carries the version of the board on screen (data-version, rendered with
// it) in an HX-PTag header. An unchanged board answers 304 with no body, and htmx 4 swaps nothing on a 304.
// A listener on the document rather than the hx-ptag extension: it is in place for the first poll whichever
// order the deferred scripts run in (the extension must register before htmx first processes the page, and
// loaded first it failed with "htmx is not defined").
document.addEventListener("htmx:config:request", function (e) {
  var el = e.target, ctx = e.detail && e.detail.ctx;
  if (el && el.id === "board" && el.dataset.version && ctx) ctx.request.headers["HX-PTag"] = el.dataset.version;
});
