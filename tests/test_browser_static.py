"""The scan page's files as Chromium gets them, with the headers it sends itself: compressed, content-hashed,
cached for a year, held by the service worker; no decoder wasm on page load; a favicon."""
from __future__ import annotations

import re

from tests.browser_helpers import sign_in_operator, wait_until

HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
YEAR = "max-age=31536000"


def _path(base: str, url: str) -> str:
    return url[len(base):] if url.startswith(base) else url


def test_scan_page_files_arrive_compressed_hashed_and_kept_by_the_service_worker(live_server, phone, factory):
    *_, op = factory.floor()
    network = {}   # path -> first response from the network
    requested = []
    phone.on("request", lambda r: requested.append(_path(live_server, r.url)))
    phone.context.on("request", lambda r: requested.append(_path(live_server, r.url)))
    phone.on("response", lambda r: network.setdefault(_path(live_server, r.url), r)
             if not r.from_service_worker else None)
    sign_in_operator(phone, live_server, op)
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")  # installed: its precache is done

    html = phone.content()
    page_static = set(re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(/static/[^"]+)"', html))
    assert {p.split("/static/", 1)[1].rsplit(".", 2)[0] for p in page_static} >= {
        "css/app", "vendor/htmx.min", "js/csrf", "js/page", "js/outbox", "js/scan", "icons/icon-192"}
    polyfill = re.search(r'data-polyfill="([^"]+)"', html).group(1)
    assert all(HASHED.match(p) for p in page_static | {polyfill}), page_static
    assert re.fullmatch(r"/static/vendor/zxing\.[0-9a-f]{12}/", re.search(r'data-wasm-base="([^"]+)"', html).group(1))

    # The browser asked for brotli, and the page and its scripts came brotli-compressed (gzip otherwise).
    scan = network["/scan"]
    accepted = scan.request.all_headers()["accept-encoding"]
    want = "br" if "br" in accepted else "gzip"
    assert scan.all_headers()["content-encoding"] == want
    for path in page_static:
        headers = network[path].all_headers()
        assert network[path].status == 200
        assert YEAR in headers["cache-control"] and "immutable" in headers["cache-control"], path
        assert "cookie" not in headers.get("vary", "").lower(), path
        if path.endswith((".js", ".css")):
            assert headers["content-encoding"] == want, path

    # The service worker's precache list is exactly the hashed files the page loads, and its cache
    # holds them; the worker script itself is revalidated, never cached for a year.
    sw = phone.evaluate("""async () => {
      const r = await fetch("/sw.js");
      const names = await caches.keys();
      const shell = names.find((n) => n.startsWith("shopfloor-shell-"));
      const kept = (await (await caches.open(shell)).keys()).map((q) => new URL(q.url).pathname);
      return {text: await r.text(), cache: r.headers.get("cache-control"), kept};
    }""")
    listed = re.search(r"const PRECACHE = \[(.*?)\];", sw["text"]).group(1)
    precache = set(re.findall(r'"([^"]+)"', listed))
    assert precache == page_static
    assert set(sw["kept"]) >= precache
    assert sw["cache"] == "no-cache"

    icon = phone.evaluate("fetch('/favicon.ico').then((r) => [r.status, r.headers.get('content-type')])")
    assert icon == [200, "image/png"]

    # The barcode decoder is fetched on first camera use only: neither the page nor its worker took it.
    assert requested and not [p for p in requested if "zxing" in p or "barcode-detector" in p]
    assert not [p for p in sw["kept"] if "zxing" in p or "barcode-detector" in p]


def test_repeat_visit_takes_the_files_from_the_service_worker(live_server, phone, factory):
    """Opened again, only the page comes from the network: every static file comes from the worker's cache."""
    *_, op = factory.floor()
    sign_in_operator(phone, live_server, op)
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    wait_until(phone, "navigator.serviceWorker.controller !== null")
    again = []
    phone.on("response", lambda r: again.append((_path(live_server, r.url), r.from_service_worker)))
    phone.goto(f"{live_server}/scan")
    phone.wait_for_selector("#scan-form")
    statics = [(p, sw) for p, sw in again if p.startswith("/static/")]
    assert statics and all(sw for _, sw in statics), statics
