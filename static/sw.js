// Service worker: the scan page opens without network; scans themselves go through the page's outbox.
// The server fills in VERSION and PRECACHE (shopfloor/scan/pwa.py): a hash of every static file, and the
// content-hashed URLs of the files the scan page loads. A deploy that changes any static file changes this
// script, so the browser installs the new worker, which caches the new files and drops the old cache.
const VERSION = "__VERSION__";
const PRECACHE = [/* __PRECACHE__ */];
const SHELL = "shopfloor-shell-" + VERSION;
const PAGES = "shopfloor-pages-v1";

// After a deploy, a scan page kept for offline use names the old files: fetch it anew (signed-in only;
// a redirect to the sign-in page is not kept).
function refreshKeptPage() {
  return caches.open(PAGES).then((pages) => pages.match("/scan").then((kept) => {
    if (!kept) return undefined;
    return fetch("/scan", { credentials: "same-origin", redirect: "manual", cache: "no-store" })
      .then((resp) => (resp.ok && resp.type === "basic" ? pages.put("/scan", resp) : undefined));
  })).catch(() => undefined);
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(PRECACHE)).then(refreshKeptPage)
    .then(() => self.skipWaiting()));
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
  if (url.pathname.startsWith("/static/")) {
    // Static URLs are content-hashed, so a kept copy is never stale: cache first. (A file fetched later,
    // such as the barcode decoder on first camera use, is kept too, until the next deploy's worker.)
    event.respondWith(
      caches.match(req, { cacheName: SHELL }).then((hit) => hit || fetch(req).then((resp) => {
        if (resp.status === 200) { const copy = resp.clone(); caches.open(SHELL).then((c) => c.put(req, copy)); }
        return resp;
      }))
    );
  }
});
