"""Security headers on every response: pages, fragments, errors, static files; on a 304, the ones that apply.

The Content-Security-Policy allows scripts from this site only: no inline <script>, no on* handler,
no eval (htmx 4 compiles code only for hx-on / js: values, which no template uses), no inline
style attribute. Two pages differ, each for one stated reason:
  - the scan, sign-in and gate pages may compile WebAssembly ('wasm-unsafe-eval', not 'unsafe-eval'): the
    barcode polyfill's decoder (bundle tickets, badges), served from static/vendor/zxing, on phones
    without a native BarcodeDetector;
  - the board may be framed by this site only (frame-ancestors 'self'): its own kiosk wrapper may
    show it, no other site may. Every other page may not be framed at all.

A 304 Not Modified has no body, so no document is made from it: the policy and the framing rule would do
nothing there (a cache keeps those of the 200 it revalidates; a fetch ignores them). It carries nosniff
and the referrer policy only, which keeps the board's unchanged 3-second poll at about 200 bytes.
"""
from __future__ import annotations

from functools import cache

from flask import Flask, Response, request

FRAMEABLE_BLUEPRINTS = frozenset({"board"})
# The barcode polyfill's decoder: the scan page, the sign-in page (a badge scan; the sign-in posts render
# the same page when they refuse), the gate (a badge scan clocks in or out) and the packer's page.
WASM_ENDPOINTS = frozenset({"scan.page", "auth.login", "auth.login_pin", "auth.login_password", "auth.login_badge",
                            "attendance.gate", "attendance.punch", "packing.pack_page"})


@cache  # four possible policies, built once each
def content_security_policy(*, wasm: bool = False, frameable: bool = False) -> str:
    script = "'self' 'wasm-unsafe-eval'" if wasm else "'self'"
    ancestors = "'self'" if frameable else "'none'"
    return "; ".join([
        "default-src 'self'",
        f"script-src {script}",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ])


def security_headers(response: Response) -> Response:
    frameable = request.blueprint in FRAMEABLE_BLUEPRINTS
    h = response.headers
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    if response.status_code == 304:
        return response
    h["Content-Security-Policy"] = content_security_policy(wasm=request.endpoint in WASM_ENDPOINTS,
                                                           frameable=frameable)
    h["X-Frame-Options"] = "SAMEORIGIN" if frameable else "DENY"  # for browsers without frame-ancestors
    return response


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
