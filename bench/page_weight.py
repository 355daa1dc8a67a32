"""Scan page weight: the bytes a real browser transfers over HTTP, from the server `make run` starts.

`python -m shopfloor.server` (granian) serves a fresh floor on loopback; headless Chromium (a phone-sized
page, its own request headers) reaches it through a loopback relay that counts every byte that crosses,
both ways: status lines, headers, bodies, and the service worker's own fetches, which the page's DevTools
view does not show. Measured:

  sign-in page   empty cache: what a phone downloads before it can sign in (for information)
  first load     empty cache, signed in as an operator (cookies from a real sign-in in another context):
                 /scan until its service worker is active and the network has been quiet for a second
  repeat visit   the same context (warm HTTP cache, service worker active): /scan opened again
  first camera   where the browser has no BarcodeDetector: the barcode polyfill and its wasm decoder, loaded
  use            the way scan.js loads them (a script element, then a detect() that fetches the wasm)

Targets: first load <= 30 KB and repeat visit <= 5 KB downloaded; the wasm fetched by neither load.

    .venv/bin/python bench/page_weight.py
"""
from __future__ import annotations

import asyncio
import re
import socket
import tempfile
import threading
import time

from common import build_floor, fresh_database, make_app, serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
FIRST_LOAD_TARGET = 30 * 1024
REPEAT_TARGET = 5 * 1024
_REQUEST_LINE = re.compile(rb"(GET|POST|HEAD|PUT|DELETE|PATCH|OPTIONS) (\S+) HTTP/1\.[01]\r\n")


class Relay:
    """A loopback TCP relay to the server that counts the bytes each way and notes each request line."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.down = self.up = 0
        self.requests: list[str] = []
        self.last_byte = time.monotonic()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(10)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _client(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer, upstream=True),
                             self._pipe(up_reader, writer, upstream=False))

    async def _pipe(self, reader, writer, upstream: bool) -> None:
        try:
            while data := await reader.read(65536):
                self.last_byte = time.monotonic()
                if upstream:
                    self.up += len(data)
                    self.requests += [f"{m.group(1).decode()} {m.group(2).decode()}" for m in _REQUEST_LINE.finditer(data)]
                else:
                    self.down += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def take(self) -> tuple[int, int, list[str]]:
        """(downloaded, uploaded, request lines) since the last take."""
        out = (self.down, self.up, self.requests)
        self.down = self.up = 0
        self.requests = []
        return out

    def wait_quiet(self, seconds: float = 1.0, limit: float = 20.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() - self.last_byte < seconds and time.monotonic() < deadline:
            time.sleep(0.1)


class PageResources:
    """What the page's DevTools network view reports per resource (encodedDataLength: headers + body)."""

    def __init__(self, context, page):
        self.rows: dict[str, dict] = {}
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _response(self, e) -> None:
        r = e["response"]
        self.rows[e["requestId"]] = {"url": r["url"], "status": r["status"], "bytes": 0,
                                     "encoding": {k.lower(): v for k, v in r["headers"].items()}.get("content-encoding", ""),
                                     "from": "service worker" if r.get("fromServiceWorker")
                                     else "disk cache" if r.get("fromDiskCache") else "network"}

    def _finished(self, e) -> None:
        if e["requestId"] in self.rows:
            self.rows[e["requestId"]]["bytes"] = int(e["encodedDataLength"])

    def take(self) -> list[dict]:
        rows = list(self.rows.values())
        self.rows = {}
        return rows


def report(title: str, relay: Relay, resources: list[dict] | None, base: str, target: int | None = None) -> int:
    down, up, requests = relay.take()
    print(f"\n{title}")
    for r in resources or []:
        path = r["url"].replace(base, "")
        print(f"  {r['status']:>3} {path[:62]:<62} {r['bytes'] / 1024:6.1f} KB  {r['encoding'] or '-':<5} {r['from']}")
    seen = {f"{r['url'].replace(base, '')}" for r in resources or [] if r["from"] == "network"}
    others = [q for q in requests if q.split(" ", 1)[1] not in seen]
    if others:
        print(f"  also on the wire (e.g. the service worker's fetches): {', '.join(others)}")
    verdict = ""
    if target is not None:
        verdict = f"  (target <= {target // 1024} KB: {'OK' if down <= target else 'MISSED'})"
    print(f"  on the wire: {down / 1024:.1f} KB down, {up / 1024:.1f} KB up, {len(requests)} requests{verdict}")
    return down


def main() -> int:
    from playwright.sync_api import sync_playwright

    workdir = tempfile.mkdtemp(prefix="sf-weight-")
    url = fresh_database("sqlite", workdir)
    app = make_app(url)
    floor = build_floor(app, bundles=2)
    with socket.socket() as s:  # a free loopback port for the server
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with serve(url, port, None, None, workdir) as (host, _pid), sync_playwright() as p:
        relay = Relay(int(host.split(":")[1]))
        base = f"http://127.0.0.1:{relay.port}"
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            # A real sign-in, in a context of its own (it leaves the sign-in page's files in that cache).
            signin = browser.new_context(**PHONE)
            page = signin.new_page()
            resources = PageResources(signin, page)
            relay.take()
            page.goto(f"{base}/login")
            relay.wait_quiet()
            report("sign-in page, empty cache", relay, resources.take(), base)
            page.select_option("#user_id", value=str(floor["operators"][0]))
            page.fill("#pin", "123456")
            page.click("#login button[type=submit]")
            page.wait_for_url("**/scan")
            cookies = signin.cookies()
            signin.close()
            relay.wait_quiet()
            relay.take()

            context = browser.new_context(**PHONE)
            context.add_cookies(cookies)
            page = context.new_page()
            resources = PageResources(context, page)
            page.goto(f"{base}/scan")
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            relay.wait_quiet()
            first_rows = resources.take()
            first = report("scan page, first load (empty cache, signed in)", relay, first_rows, base, FIRST_LOAD_TARGET)
            first_wasm = any("zxing" in r["url"] for r in first_rows)

            page.goto(f"{base}/scan")
            page.wait_for_selector("#scan-form")
            relay.wait_quiet()
            repeat_rows = resources.take()
            repeat = report("scan page, repeat visit (same context)", relay, repeat_rows, base, REPEAT_TARGET)
            repeat_wasm = any("zxing" in r["url"] for r in repeat_rows)

            native = page.evaluate("'BarcodeDetector' in window")
            page.evaluate("""() => new Promise((resolve, reject) => {
              const form = document.getElementById("scan-form");
              const s = document.createElement("script");
              s.src = form.dataset.polyfill;
              s.onload = () => {
                BarcodeDetectionAPI.setZXingModuleOverrides({ locateFile: (path) => form.dataset.wasmBase + path });
                new BarcodeDetector({ formats: ["qr_code"] }).detect(new ImageData(8, 8)).then(resolve, reject);
              };
              s.onerror = reject;
              document.head.appendChild(s);
            })""")
            relay.wait_quiet()
            report("first camera use where the browser has no BarcodeDetector (this Chromium has "
                   f"{'one: loaded anyway, for the figure' if native else 'none'})",
                   relay, resources.take(), base)
        finally:
            browser.close()
    missed = first > FIRST_LOAD_TARGET or repeat > REPEAT_TARGET or first_wasm or repeat_wasm
    print(f"\nscan page: first load {first / 1024:.1f} KB (target <= 30 KB: "
          f"{'OK' if first <= FIRST_LOAD_TARGET else 'MISSED'}), repeat visit {repeat / 1024:.1f} KB "
          f"(target <= 5 KB: {'OK' if repeat <= REPEAT_TARGET else 'MISSED'}), "
          f"decoder wasm fetched on page load: {'yes (MISSED)' if first_wasm or repeat_wasm else 'no (OK)'}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
