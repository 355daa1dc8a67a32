"""JSON API for scans, used by the phone's offline outbox and by other clients.

Whose work a scan is: the signed operator identity a queued item carries (`"operator"`, see
scan/identity.py) when present, so a scan queued before a sign-out is credited to the operator who made
it whoever sends it later; else the signed-in session. An identity that does not verify holds the
scan for a supervisor (202) and credits nobody.

A style that warns before an operation is logged while earlier ones have no pieces answers 409
{"code": "confirm_sequence", "operations": "7–8"}: the same item sent again with "log_anyway": true is
logged (the outbox keeps it until the operator answers, and an item answered so is not asked again).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, session
from flask_babel import gettext as _

from shopfloor.auth import sessions
from shopfloor.errors import DomainError
from shopfloor.extensions import csrf, login_manager
from shopfloor.roles import roles_of
from shopfloor.scan import held, identity, services

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SCAN_ROLES = roles_of("api.create_scan")  # the role table; the service checks them in its own statement


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_("Send a JSON object with bundle, operation, qty and client_id."), status=422)
    if not data.get("client_id"):
        raise DomainError(_("client_id is required so that a resent scan counts once."), status=422)
    return data


def _session_user_id() -> int | None:
    """The signed session's user id (the route guard checked the session is open when the scan carries no
    identity of its own; the scan's own SQL checks role and active flag); None when nobody is signed in."""
    uid = session.get("_user_id")
    return int(uid) if uid is not None and str(uid).isdigit() else None


@bp.post("/scans")
@csrf.exempt  # checked below unless the item carries its own signed identity (JSON only: no cross-site form)
def create_scan():
    data = _body()
    token = data.get("operator")
    sender = _session_user_id()
    if token is None:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        if sender is None:
            return login_manager.unauthorized()
        operator_id = sender
        sid = session.get(sessions.SID_KEY)
        if not sid:
            return login_manager.unauthorized()
        sid_hash = sessions.digest(sid)  # the scan's own read checks the session is still open
    else:
        sid_hash = None  # the item names its maker; no session is needed
        operator_id = identity.operator_from_token(token) if request.is_json else None
        if operator_id is None:
            h = held.hold(client_id=str(data.get("client_id")), bundle_ref=str(data.get("bundle") or ""),
                          operation_id=data.get("operation") if isinstance(data.get("operation"), int) else None,
                          qty=data.get("qty") if isinstance(data.get("qty"), int) else None,
                          reason=_("The phone could not prove who made this scan."), sent_by_id=sender)
            return jsonify(held=True, id=h.id, error=_("Held for your supervisor: this scan's operator could not "
                                                       "be checked, so it was credited to nobody.")), 202
    # A refusal becomes {"error", "code"} with its status in the one error handler (errors.py).
    result = services.record_scan(operator_id=operator_id, bundle_ref=str(data.get("bundle") or ""),
                                  operation_id=data.get("operation"), qty=data.get("qty"),
                                  client_id=data.get("client_id"), check_operator_roles=SCAN_ROLES,
                                  claim_check=True, session_sid_hash=sid_hash,
                                  log_anyway=data.get("log_anyway") is True)
    return jsonify(result.as_json()), 201 if result.created else 200

