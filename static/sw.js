// Service worker: the scan page opens without network; scans themselves go through the page's outbox.
const SHELL = "shopfloor-shell-v2";
const PAGES = "shopfloor-pages-v1";
const SHELL_FILES = [
  "/static/css/app.css", "/static/js/scan.js", "/static/js/reader.js", "/static/js/outbox.js", "/static/js/csrf.js", "/static/js/page.js",
  "/static/vendor/htmx.min.js", "/static/icons/icon-192.png", "/manifest.webmanifest",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== PAGES).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  // Only the scan page itself is kept for offline use; live data and APIs always go to the network.
  if (req.mode === "navigate" && url.pathname === "/scan") {
    event.respondWith(
      fetch(req).then((resp) => {
        if (resp.ok && !resp.redirected) {
          const copy = resp.clone();
          caches.open(PAGES).then((c) => c.put("/scan", copy));
        }
        return resp;
      }).catch(() => caches.match("/scan", { cacheName: PAGES }).then((r) => r || Response.error()))
    );
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    // Stale-while-revalidate for the shell's files.
    event.respondWith(
      caches.match(req).then((hit) => {
        const fresh = fetch(req).then((resp) => {
          if (resp.ok) { const copy = resp.clone(); caches.open(SHELL).then((c) => c.put(req, copy)); }
          return resp;
        }).catch(() => hit);
        return hit || fresh;
      })
    );
  }
});
