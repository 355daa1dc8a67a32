"""Security headers on every response: each route of the url map, errors, static files, 304s."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import login

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SAMPLE = {"int": "1", "path": "x", "default": "x"}


def _url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = type(rule._converters[arg]).__name__.lower()
        values[arg] = "css/app.css" if rule.endpoint == "static" else SAMPLE.get(
            "int" if "int" in converter else "path" if "path" in converter else "default")
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(rf"<[^>]*\b{arg}>", value, path)
    return path


def assert_secure(resp, *, board: bool = False) -> None:
    h = resp.headers
    csp = h.get("Content-Security-Policy", "")
    directives = dict((d.split(" ", 1) + [""])[:2] for d in (p.strip() for p in csp.split(";")) if d)
    assert directives.get("default-src") == "'self'", (resp.request.path, csp)
    assert directives.get("script-src", "").split()[0] == "'self'"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives.get("style-src") == "'self'" and directives.get("object-src") == "'none'"
    assert directives.get("frame-ancestors") == ("'self'" if board else "'none'")
    assert h.get("X-Frame-Options") == ("SAMEORIGIN" if board else "DENY")
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("Referrer-Policy") == "same-origin"


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_route_sends_the_security_headers(app, client, factory, who):
    factory.floor()
    if who == "admin":
        login(client, factory.user("admin"))
    seen = 0
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = client.open(_url(rule), method=method, data={})
            assert_secure(resp, board=rule.endpoint.startswith("board."))
            resp.close()
            seen += 1
    assert seen >= 55


def assert_not_modified(resp) -> None:
    """A 304 has no body and makes no document: nosniff and the referrer policy, nothing a document needs."""
    assert resp.status_code == 304 and resp.data == b""
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    assert resp.headers.get("Referrer-Policy") == "same-origin"
    assert "Content-Security-Policy" not in resp.headers and "X-Frame-Options" not in resp.headers


def test_errors_static_files_and_304_send_them_too(client, factory):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "There is nothing at this address." in missing.text
    assert_secure(missing)
    css = client.get("/static/css/app.css")
    assert css.status_code == 200 and ".progress" in css.text
    assert_secure(css)
    css.close()
    again = client.get("/static/css/app.css", headers={"If-None-Match": css.headers["ETag"]})
    assert_not_modified(again)
    again.close()
    board = client.get("/board/live?token=board-token-for-tests")
    unchanged = client.get("/board/live?token=board-token-for-tests",
                           headers={"HX-Request": "true", "HX-PTag": board.headers["HX-PTag"]})
    assert board.status_code == 200 and unchanged.status_code == 304
    assert_secure(board, board=True)
    assert_not_modified(unchanged)


def test_only_the_scan_and_sign_in_pages_may_compile_webassembly(client, factory):
    line, style, order, op = factory.floor()
    sign_in = client.get("/login")
    assert 'id="badge-scan"' in sign_in.text and "'wasm-unsafe-eval'" in sign_in.headers["Content-Security-Policy"]
    login(client, op)
    scan = client.get("/scan")
    assert 'id="scan-form"' in scan.text and "'wasm-unsafe-eval'" in scan.headers["Content-Security-Policy"]
    me = client.get("/me")
    assert me.status_code == 200 and "wasm" not in me.headers["Content-Security-Policy"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\shx-on|\"js:|'js:|javascript:", re.I), "code in an attribute (needs eval)"),
]


def test_templates_hold_no_inline_script_handler_or_style():
    """The CSP refuses inline code and styles: none may be in templates/ (JSON data blocks are not code)."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for pattern, what in INLINE:
            for m in pattern.finditer(text):
                found.append(f"{path.relative_to(TEMPLATES)}: {what}: {m.group(0)!r}")
    assert found == []
