// Every htmx request carries the CSRF token from the page's meta tag.
document.addEventListener("htmx:config:request", function (evt) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && evt.detail && evt.detail.ctx && evt.detail.ctx.request) {
    evt.detail.ctx.request.headers["X-CSRFToken"] = meta.content;
  }
});
