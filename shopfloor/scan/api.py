"""JSON API for scans, used by the phone's offline outbox and by other clients."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.auth.login import roles_required
from shopfloor.errors import DomainError
from shopfloor.scan import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.post("/scans")
@roles_required("operator", "supervisor", "manager")
def create_scan():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error=_("Send a JSON object with bundle, operation, qty and client_id.")), 422
    if not data.get("client_id"):
        return jsonify(error=_("client_id is required so that a resent scan counts once.")), 422
    try:
        result = services.record_scan(operator_id=current_user.id, operator_line_id=current_user.line_id,
                                      bundle_ref=str(data.get("bundle") or ""), operation_id=data.get("operation"),
                                      qty=data.get("qty"), client_id=data.get("client_id"))
    except DomainError as e:
        return jsonify(error=e.message, code=e.code), e.status
    return jsonify(result.as_json()), 201 if result.created else 200
