"""Static files and compression (shopfloor/assets.py): hashed names, caching, encodings, the service worker.

The browser's view of the same (its own Accept-Encoding, its caches) is in test_browser_static.py; here the
server's answers to each kind of request, and a file changed on disk."""
from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import brotli
from flask import url_for
from sqlalchemy import select

from shopfloor import assets, create_app
from shopfloor.extensions import db
from shopfloor.models import Bundle
from shopfloor.scan import pwa
from tests.conftest import _config, login
from tests.test_headers import assert_not_modified, assert_secure

STATIC = Path(__file__).resolve().parent.parent / "static"
BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends


def _url(app, name: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=name)


def test_static_urls_are_content_hashed_and_immutable_for_a_year(app, client):
    url = _url(app, "js/scan.js")
    assert re.fullmatch(r"/static/js/scan\.[0-9a-f]{12}\.js", url)
    resp = client.get(url, headers={"Accept-Encoding": BROWSER})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "br"
    assert brotli.decompress(resp.data) == (STATIC / "js/scan.js").read_bytes()
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in resp.headers["Vary"] and "Cookie" not in resp.headers["Vary"]
    assert_secure(resp)
    again = client.get(url, headers={"Accept-Encoding": BROWSER, "If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert_not_modified(again)  # nosniff and referrer policy; the cached 200 keeps its CSP
    # The plain name still answers (the polyfill finds its wasm by directory), revalidated every time.
    plain = client.get("/static/js/scan.js")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert plain.data == (STATIC / "js/scan.js").read_bytes() and "Content-Encoding" not in plain.headers
    # A hashed name of bytes this server does not have is not found (never some other content).
    assert client.get("/static/js/scan.0123456789ab.js").status_code == 404


def test_a_directory_is_named_by_its_files_hash(app, client):
    """The polyfill finds its wasm under the directory the scan page names: that URL is hashed too."""
    base = _url(app, "vendor/zxing/")
    assert re.fullmatch(r"/static/vendor/zxing\.[0-9a-f]{12}/", base)
    wasm = client.get(base + "zxing_reader.wasm", headers={"Accept-Encoding": BROWSER})
    assert wasm.status_code == 200 and wasm.mimetype == "application/wasm"
    assert wasm.headers["Content-Encoding"] == "br" and wasm.headers["Cache-Control"] == assets.IMMUTABLE
    assert brotli.decompress(wasm.data) == (STATIC / "vendor/zxing/zxing_reader.wasm").read_bytes()
    assert client.get("/static/vendor/zxing.0123456789ab/zxing_reader.wasm").status_code == 404
    assert client.get(base + "no-such.wasm").status_code == 404


def test_gzip_when_the_browser_does_not_accept_brotli(app, client, factory):
    *_, op = factory.floor()
    login(client, op)
    js = client.get(_url(app, "vendor/htmx.min.js"), headers={"Accept-Encoding": "gzip, deflate"})
    assert js.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(js.data) == (STATIC / "vendor/htmx.min.js").read_bytes()
    page = client.get("/scan", headers={"Accept-Encoding": "gzip, deflate"})
    assert page.headers["Content-Encoding"] == "gzip" and 'id="scan-form"' in gzip.decompress(page.data).decode()
    br = client.get("/scan", headers={"Accept-Encoding": BROWSER})
    assert br.headers["Content-Encoding"] == "br" and 'id="scan-form"' in brotli.decompress(br.data).decode()
    none = client.get("/scan")
    assert "Content-Encoding" not in none.headers and 'id="scan-form"' in none.text


def test_small_answers_are_not_compressed(client, factory):
    """The scan API's JSON answers are below the threshold: no compression work on the scan's hot path."""
    _, style, order, op = factory.floor()
    login(client, op)
    code = db.session.scalars(select(Bundle.code).where(Bundle.order_id == order.id)).first()
    body = {"bundle": code, "operation": style.operations[0].id, "qty": 3, "client_id": "c1"}
    resp = client.post("/api/v1/scans", json=body, headers={"Accept-Encoding": BROWSER})
    assert resp.status_code == 201 and resp.json["qty"] == 3
    assert len(resp.data) < assets.DYNAMIC_MIN_SIZE and "Content-Encoding" not in resp.headers
    assert "Accept-Encoding" not in resp.headers.get("Vary", "")


def test_service_worker_lists_the_hashed_shell_files_and_is_revalidated(app, client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-cache"
    assert "immutable" not in resp.headers["Cache-Control"]
    listed = re.search(r"const PRECACHE = (\[.*?\]);", resp.text).group(1)
    with app.test_request_context():
        expected = [url_for("static", filename=n) for n in pwa.SHELL_FILES]
    assert listed == str(expected).replace("'", '"')
    assert re.search(r'const VERSION = "[0-9a-f]{12}";', resp.text)
    assert_secure(resp)


def test_favicon_is_the_app_icon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.data == (STATIC / "icons/icon-192.png").read_bytes()
    assert_secure(resp)


def _read(client, url: str) -> bytes:
    resp = client.get(url)
    try:
        return resp.data
    finally:
        resp.close()  # a file sent from disk: closed here, not left to the collector


def test_a_changed_file_gets_a_new_url_and_a_new_service_worker(tmp_path, database_url):
    """Edit a file (in a copy of static/): a new start names it anew; its old URL no longer answers, and the
    service worker's version and list change, so phones fetch the new file."""
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    app = create_app(_config(database_url))
    app.static_folder = str(folder)

    def start():
        app.extensions["shopfloor_assets"] = assets.Manifest(str(folder))
        c = app.test_client()
        return _url(app, "js/outbox.js"), c.get("/sw.js").text, c

    old_url, old_sw, _ = start()
    old_dir = (_url(app, "js/"), _url(app, "vendor/"))
    (folder / "js/outbox.js").write_text((folder / "js/outbox.js").read_text() + "\n// changed\n")
    # The running server keeps naming the bytes it hashed, and no longer has them: not found, not the new text;
    # the plain name answers the new text.
    assert app.test_client().get(old_url).status_code == 404
    assert _read(app.test_client(), "/static/js/outbox.js").endswith(b"// changed\n")
    new_url, new_sw, c = start()
    assert _url(app, "js/") != old_dir[0] and _url(app, "vendor/") == old_dir[1]  # its directory too, no other
    assert new_url != old_url and re.fullmatch(r"/static/js/outbox\.[0-9a-f]{12}\.js", new_url)
    assert c.get(new_url).data.endswith(b"// changed\n")
    assert c.get(old_url).status_code == 404
    assert new_url in new_sw and old_url not in new_sw and old_url in old_sw
    assert _read(c, "/static/js/outbox.js").endswith(b"// changed\n")
    version = re.compile(r'const VERSION = "([0-9a-f]{12})"')
    assert version.search(new_sw).group(1) != version.search(old_sw).group(1)
