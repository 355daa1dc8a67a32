"""JSON API for scans, used by the phone's offline outbox and by other clients."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from shopfloor.auth.login import session_user_id
from shopfloor.roles import roles_of
from shopfloor.scan import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")


SCAN_ROLES = roles_of("api.create_scan")  # the role table; the service checks them in its own statement


@bp.post("/scans")
@session_user_id
def create_scan(user_id: int):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error=_("Send a JSON object with bundle, operation, qty and client_id.")), 422
    if not data.get("client_id"):
        return jsonify(error=_("client_id is required so that a resent scan counts once.")), 422
    # A refusal becomes {"error", "code"} with its status in the one error handler (errors.py).
    result = services.record_scan(operator_id=user_id, bundle_ref=str(data.get("bundle") or ""),
                                  operation_id=data.get("operation"), qty=data.get("qty"),
                                  client_id=data.get("client_id"), check_operator_roles=SCAN_ROLES)
    return jsonify(result.as_json()), 201 if result.created else 200
