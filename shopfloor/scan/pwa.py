"""The scan page as an installable app: manifest, service worker and favicon (public, no data)."""
from __future__ import annotations

import json
import os

from flask import Blueprint, abort, current_app, jsonify, make_response, request, url_for
from flask_babel import gettext as _

from shopfloor import assets

bp = Blueprint("public", __name__)

# The files the scan page loads (templates/base.html, templates/scan/page.html), which the service worker
# keeps so that the page opens without network. Not the barcode polyfill and its decoder: they are
# fetched on first camera use, and only where the browser has no BarcodeDetector.
SHELL_FILES = ("css/app.css", "vendor/htmx.min.js", "js/csrf.js", "js/page.js", "js/outbox.js", "js/reader.js",
               "js/card.js", "js/scan.js", "icons/icon-192.png")
FAVICON = "icons/icon-192.png"
FAVICON_CACHE = "public, max-age=86400"  # a plain URL: a day, not immutable
_VERSION = '"__VERSION__"'
_PRECACHE = "[/* __PRECACHE__ */]"


def precache_urls() -> list[str]:
    """What the service worker caches on install: the shell files' content-hashed URLs."""
    return [url_for("static", filename=name) for name in SHELL_FILES]


def service_worker_script() -> str:
    """static/sw.js with its version (a hash of every static file) and precache list filled in."""
    with open(os.path.join(current_app.static_folder, "sw.js"), encoding="utf-8") as fh:
        source = fh.read()
    if _VERSION not in source or _PRECACHE not in source:
        raise RuntimeError("static/sw.js has lost its __VERSION__ or __PRECACHE__ placeholder")
    return (source.replace(_VERSION, json.dumps(assets.version()))
            .replace(_PRECACHE, json.dumps(precache_urls())))


@bp.get("/sw.js")
def service_worker():
    # Always revalidated (never the year-long cache of the files it lists): a deploy changes this script,
    # and the browser then installs the new worker with the new files.
    resp = make_response(service_worker_script())
    resp.mimetype = "text/javascript"
    resp.headers["Service-Worker-Allowed"] = "/"
    resp.headers["Cache-Control"] = "no-cache"
    resp.add_etag()
    return resp.make_conditional(request)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on pages that name no icon: the app's icon, not a 404."""
    asset = assets.manifest().by_name.get(FAVICON)
    resp = assets.respond(asset, FAVICON_CACHE) if asset is not None else None
    if resp is None:
        abort(404)
    return resp


@bp.get("/manifest.webmanifest")
def manifest():
    resp = jsonify({
        "name": "Shopfloor",
        "short_name": "Shopfloor",
        "description": _("Scan bundle tickets and log your work."),
        "start_url": url_for("scan.page"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f5f7",
        "theme_color": "#0f172a",
        "icons": [
            {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any maskable"},
        ],
    })
    resp.mimetype = "application/manifest+json"
    return resp
