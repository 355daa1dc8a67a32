"""The phone set-up page (public, linked from the sign-in page and the scan page): the CA to install and the
HTTPS address, as QR codes and links. Every address comes from `addresses.reach`, as on the tickets."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from shopfloor.lan import certificates, qr
from shopfloor.lan.addresses import reach

bp = Blueprint("lan", __name__)


@bp.get("/setup")
def setup():
    r = reach(current_app.config)
    return render_template("lan/setup.html", reach=r, secure=request.is_secure, ca_url=r.ca_download,
                           fingerprint=certificates.ca_fingerprint(r.ca_file) if r.ca_file else "")


@bp.get("/setup/shopfloor-ca.crt")
def ca_certificate():
    ca = reach(current_app.config).ca_file
    if ca is None:
        abort(404)
    # DER with the CA MIME type: Android's and iOS's certificate installers take it as it downloads.
    return Response(certificates.ca_der(ca), mimetype="application/x-x509-ca-cert",
                    headers={"Content-Disposition": "attachment; filename=shopfloor-ca.crt",
                             "Cache-Control": "no-cache"})


@bp.get("/setup/qr/<which>.svg")
def qr_image(which: str):
    """The QR of the CA download (`ca`) or of the HTTPS address (`https`); anything else, or one the server
    does not have, is not found."""
    r = reach(current_app.config)
    targets = {"ca": r.ca_download, "https": r.secure_home}
    if not targets.get(which):
        abort(404)
    return Response(qr.svg(targets[which]), mimetype="image/svg+xml", headers={"Cache-Control": "no-cache"})
