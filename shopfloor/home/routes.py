from __future__ import annotations

from flask import Blueprint, current_app, redirect, url_for
from flask_login import current_user, login_required

bp = Blueprint("home", __name__)

# Where each role lands after sign-in; endpoints that are not registered fall back to the scan page.
LANDING = {
    "operator": "scan.page",
    "qc": "quality.inspect",
    "packer": "packing.pack_page",
    "supervisor": "supervise.index",
    "manager": "review.index",
    "admin": "review.index",
}


@bp.get("/")
@login_required
def index():
    endpoint = LANDING.get(current_user.role, "scan.page")
    if endpoint not in current_app.view_functions:
        endpoint = "scan.page"
    return redirect(url_for(endpoint))
