"""The scan page as an installable app: manifest and service worker (public, no data)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_from_directory, url_for
from flask_babel import gettext as _

bp = Blueprint("public", __name__)


@bp.get("/sw.js")
def service_worker():
    resp = send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
    resp.headers["Service-Worker-Allowed"] = "/"
    resp.headers["Cache-Control"] = "no-cache"
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
