"""JSON API for scans, used by the phone's offline outbox and by other clients.

Whose work a scan is: the signed operator identity a queued item carries (`"operator"`, see
scan/identity.py) when present, so a scan queued before a sign-out is credited to the operator who made
it whoever sends it later; else the signed-in session. An identity that does not verify holds the
scan for a supervisor (202) and credits nobody.

A style that warns before an operation is logged while earlier ones have no pieces answers 409
{"code": "confirm_sequence", "operations": "7–8"}: the same item sent again with "log_anyway": true is
logged (the outbox keeps it until the operator answers, and an item answered so is not asked again).

An API token with the `scan` scope (api/tokens.py; the route guard checked it) sends scans for operators: the
body names the operator ("operator_id", or "badge": the badge code). The work is that operator's, checked as if
they had scanned it themselves (role, active, line, claims, sequence); the token is the author: each scan it
writes is audited with the token's name, under the admin who made the token.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request, session
from flask_babel import gettext as _

from shopfloor.auth import sessions
from shopfloor.api import queries as api_queries
from shopfloor.api import tokens
from shopfloor.api.spec import describe
from shopfloor.database import write_transaction
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


SCAN_BODY = {"type": "object", "required": ["bundle", "operation", "client_id"], "properties": {
    "bundle": {"type": "string", "description": "The bundle's code or its ticket's QR payload"},
    "operation": {"type": "integer"}, "qty": {"type": ["integer", "null"]},
    "client_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "operator": {"type": "string", "description": "A queued item's signed operator identity (phones)"},
    "operator_id": {"type": "integer", "description": "With an API token: the operator whose work it is"},
    "badge": {"type": "string", "description": "With an API token: the operator's badge code instead of operator_id"},
    "log_anyway": {"type": "boolean"}}}
SCAN_RESULT = {"type": "object"}


@bp.post("/scans")
@csrf.exempt  # checked below unless the item carries its own signed identity (JSON only: no cross-site form)
@describe("Log pieces of an operation on a bundle for an operator (idempotent by client_id)", tag="scan",
          body=SCAN_BODY, responses={200: SCAN_RESULT, 201: SCAN_RESULT, 202: SCAN_RESULT})
def create_scan():
    data = _body()
    if g.get("api_token") is not None:
        return _token_scan(data, g.api_token)
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



def _token_scan(data: dict, api_token):
    """A scan sent with an API token (scope scan): for the operator the body names, audited with the token."""
    operator_id, badge = data.get("operator_id"), data.get("badge")
    if isinstance(operator_id, int) and not isinstance(operator_id, bool) and 0 < operator_id < 2 ** 31:
        operator = api_queries.user_id_by(user_id=operator_id)
    elif isinstance(badge, str) and badge.strip() and len(badge) <= 40 and "\x00" not in badge:
        operator = api_queries.user_id_by(badge=badge.strip())
    else:
        raise DomainError(_("Name the operator: operator_id or badge."), status=422, code="operator_required")
    if operator is None:
        raise DomainError(_("No operator has that id or badge."), status=422, code="unknown_operator")
    result = services.record_scan(operator_id=operator, bundle_ref=str(data.get("bundle") or ""),
                                  operation_id=data.get("operation"), qty=data.get("qty"),
                                  client_id=data.get("client_id"), check_operator_roles=SCAN_ROLES,
                                  claim_check=True, log_anyway=data.get("log_anyway") is True)
    if result.created:
        with write_transaction():
            tokens.audit_write(f"scan {data.get('client_id')} for user {operator}", target=f"user:{operator}")
    return jsonify(result.as_json()), 201 if result.created else 200
