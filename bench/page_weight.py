"""Scan page first load: HTML + every script and stylesheet it loads eagerly, gzipped (target <= 60 KB).

The barcode polyfill and its wasm are loaded only when the browser lacks BarcodeDetector; they are
listed separately.
"""
from __future__ import annotations

import gzip
import re
import tempfile

from common import build_floor, fresh_database, make_app


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="sf-weight-")
    app = make_app(fresh_database("sqlite", workdir))
    app.config["WTF_CSRF_ENABLED"] = False
    floor = build_floor(app, bundles=2)
    c = app.test_client()
    c.post("/login/pin", data={"user_id": floor["operators"][0], "pin": "123456"})
    html = c.get("/scan").data
    assets = re.findall(rb'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="([^"]+)"', html)
    total = gz(html)
    print(f"  {'/scan (HTML)':<48} {gz(html) / 1024:6.1f} KB")
    for url in assets:
        body = c.get(url.decode()).data
        total += gz(body)
        print(f"  {url.decode():<48} {gz(body) / 1024:6.1f} KB")
    print(f"scan page first load: {total / 1024:.1f} KB gzip (target <= 60 KB: {'OK' if total <= 60 * 1024 else 'MISSED'})")
    for lazy in ("/static/vendor/barcode-detector-polyfill.js", "/static/vendor/zxing/zxing_reader.wasm"):
        print(f"  only without native BarcodeDetector, then cached: {lazy} {gz(c.get(lazy).data) / 1024:.0f} KB gzip")


if __name__ == "__main__":
    main()
