"""Work logging: one tap credits a bundle operation, exactly once, never beyond the bundle.

The hot path is plain SQL in one short write transaction (BEGIN IMMEDIATE on SQLite):
  1. insert the ledger row, ON CONFLICT(client_id) DO NOTHING   -> a replay adds nothing
  2. conditional UPDATE of the bundle x operation counter        -> never more than the bundle holds
     (the CHECK constraint done <= pieces backs it up inside the database)
  3. upsert the line x hour and order x operation summaries      -> the board reads these
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

from shopfloor import clock
from shopfloor.database import raw_connection, write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.scan.codes import parse_reference
from shopfloor.scan.sql import INTEGRITY_ERRORS, Raw
from shopfloor.scan.statements import (
    _FIND, _PG_WRITE, _REPLAY, _INSERT_LOG, _ENSURE_PROGRESS, _ADD_PROGRESS, _LINE_HOUR, _ORDER_OP, _OPERATOR_DAY, _DONE_BY, _FIND_LOG,
)

UNDO_SECONDS = 30
MAX_CLIENT_ID = 64


@dataclass
class ScanResult:
    log_id: int
    created: bool
    bundle_id: int
    bundle_code: str
    operation_id: int
    pieces: int
    created_at: datetime

    def as_json(self) -> dict:
        return {"id": self.log_id, "bundle": self.bundle_code, "operation": self.operation_id,
                "qty": self.pieces, "created_at": self.created_at.isoformat() + "Z",
                "replay": not self.created}


def _validate_client_id(client_id: str | None) -> str | None:
    if client_id is None or client_id == "":
        return None
    client_id = str(client_id)
    if len(client_id) > MAX_CLIENT_ID or not client_id.isprintable():
        raise DomainError(_("The scan's client id is not valid."), status=422)
    return client_id


def _validate_qty(qty) -> int | None:
    if qty is None or qty == "":
        return None
    try:
        q = int(qty)
    except (TypeError, ValueError):
        raise DomainError(_("The number of pieces must be a whole number."), status=422) from None
    if q < 1:
        raise DomainError(_("The number of pieces must be at least 1."), status=422)
    return q


def find_replay(client_id: str | None, raw: Raw | None = None) -> ScanResult | None:
    if not client_id:
        return None
    row = (raw or Raw(db.session)).one(_REPLAY, {"cid": client_id})
    if row is None:
        return None
    return ScanResult(log_id=row[0], created=False, bundle_id=row[1], bundle_code=row[2],
                      operation_id=row[3], pieces=row[4], created_at=_as_dt(row[5]))


def _as_dt(value) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def done_by(bundle_id: int, operation_id: int, raw: Raw | None = None) -> list[str]:
    return [r[0] for r in (raw or Raw(db.session)).all(_DONE_BY, {"b": bundle_id, "op": operation_id})]


def record_scan(*, operator_id: int, operator_line_id: int | None = None, bundle_ref: str, operation_id,
                qty=None, client_id: str | None = None, now: datetime | None = None,
                check_operator_roles: tuple[str, ...] | None = None) -> ScanResult:
    """Credit `qty` pieces (default: all remaining) of an operation on a bundle to an operator.

    With check_operator_roles the operator's role, active flag and line are read in the same
    transaction (the scan API's lean sign-in check).
    """
    client_id = _validate_client_id(client_id)
    code = parse_reference(bundle_ref)
    q = _validate_qty(qty)
    try:
        op_id = int(operation_id)
    except (TypeError, ValueError):
        raise DomainError(_("Choose an operation."), status=422) from None
    now = now or clock.utcnow()

    try:
        with raw_connection() as rc:
            s = Raw(cursor=rc.cur, pg=rc.pg)
            # One read: the bundle and operation, an earlier scan with this client id, the operator.
            row = s.one(_FIND, {"code": code, "op": op_id, "cid": client_id, "u": operator_id})
            if row is not None and row[13] is not None:
                return find_replay(client_id, s)
            if check_operator_roles is not None:
                operator_line_id = _check_operator(row, check_operator_roles)
            q, plan = _plan_scan(s, row, code, op_id, q)
            bundle_id, order_id, sam, rate, is_last, pieces, order_line = plan
            line_id = operator_line_id or order_line
            if rc.pg and row[10] is not None:
                log_id = _pg_write(rc, s, bundle_id, op_id, operator_id, line_id, q, sam, rate, client_id,
                                   order_id, is_last, now)
                return ScanResult(log_id=log_id, created=True, bundle_id=bundle_id, bundle_code=code,
                                  operation_id=op_id, pieces=q, created_at=now)
            with rc.write():
                # The writes alone hold the lock; the conditional UPDATE re-checks what the reads saw.
                log_id = s.one(_INSERT_LOG, {
                    "b": bundle_id, "op": op_id, "u": operator_id, "line": line_id, "q": q, "sam": sam,
                    "rate": rate, "cid": client_id, "rev": None, "reason": None, "by": operator_id, "ts": now,
                })
                if log_id is None:  # same client id committed meanwhile
                    raise _Replay()
                log_id = log_id[0]
                if row[10] is None:
                    s.run(_ENSURE_PROGRESS, {"b": bundle_id, "op": op_id, "cap": pieces})
                if s.one(_ADD_PROGRESS, {"b": bundle_id, "op": op_id, "q": q}) is None:
                    raise _Raced()
                _add_summaries(s, operator_id, line_id, order_id, op_id, q, sam, rate, is_last, now)
    except _Replay:
        return find_replay(client_id)
    except (_Raced, *INTEGRITY_ERRORS):
        replay = find_replay(client_id)
        if replay is not None:
            return replay
        raise DomainError(_("Those pieces were just logged by someone else. Scan again to see what is left."),
                          status=409, code="over_quantity") from None
    return ScanResult(log_id=log_id, created=True, bundle_id=bundle_id, bundle_code=code,
                      operation_id=op_id, pieces=q, created_at=now)


class _Replay(Exception):
    """The same client id was committed meanwhile: answer with the original entry."""


class _Raced(Exception):
    """Another scan took the pieces between our read and our write."""


def _plan_scan(s: Raw, row, code: str, op_id: int, q: int | None):
    """Check a scan against the bundle as read; returns the pieces to log and what the writes need."""
    if row is None:
        raise DomainError(_("No bundle has the code %(code)s.", code=code), status=404, code="unknown")
    (bundle_id, status, pieces, order_id, order_line, found_op, sam, rate, on_style, is_last,
     done, cap, order_status) = row[:13]
    if found_op is None or not on_style:
        raise DomainError(_("This operation is not on this bundle's style."), status=422, code="wrong_operation")
    if status == "hold" or order_status in ("cancelled", "hold"):
        raise DomainError(_("Bundle %(code)s is on hold. Do not work on it; tell your supervisor.", code=code),
                          status=409, code="hold")
    cap = cap if cap is not None else pieces
    done = done or 0
    remaining = cap - done
    if status == "rework":
        remaining = min(remaining, _good_pieces_limit(s, bundle_id, op_id, cap) - done)
    if remaining <= 0:
        if status == "rework":
            raise DomainError(_("Bundle %(code)s is in rework: no good pieces are left to log here.", code=code),
                              status=409, code="rework")
        names = ", ".join(done_by(bundle_id, op_id, s)) or "?"
        raise DomainError(_("Already done: all %(n)d pieces of this operation were logged by %(who)s.",
                            n=cap, who=names), status=409, code="already_done")
    q = remaining if q is None else q
    if q > remaining:
        raise DomainError(_("Only %(left)d pieces remain for this operation; you asked for %(q)d.",
                            left=remaining, q=q), status=409, code="over_quantity")
    return q, (bundle_id, order_id, sam, rate, is_last, pieces, order_line)


def _check_operator(row, roles: tuple[str, ...]) -> int | None:
    """Role, active flag and line of the scanning user, as read with the bundle."""
    role, active, line = (row[14], row[15], row[16]) if row is not None else (None, None, None)
    if row is not None and (role is None or not active or (role not in roles and role != "admin")):
        raise DomainError(_("Your role does not allow this page."), status=403, code="forbidden")
    return line


def _pg_write(rc, s: Raw, bundle_id, op_id, operator_id, line_id, q, sam, rate, client_id, order_id, is_last,
              now) -> int:
    day, hour = clock.local_bucket(now)
    with rc.write():
        log_id, done = s.one(_PG_WRITE, {
            "b": bundle_id, "op": op_id, "u": operator_id, "line": line_id, "q": q, "sam": sam, "rate": rate,
            "cid": client_id, "ts": now, "day": day, "hour": hour, "out": q if is_last else 0, "earned": q * sam,
            "pay": q * rate, "o": order_id})
        if log_id is None:
            raise _Replay()
        if done is None:
            raise _Raced()
    return log_id


def _add_summaries(s, operator_id, line_id, order_id, op_id, q, sam, rate, is_last, ts: datetime) -> None:
    """Keep the board's and pay's summaries in step with the ledger (same transaction)."""
    day, hour = clock.local_bucket(ts)
    earned = q * sam
    if line_id is not None:
        s.run(_LINE_HOUR, {"line": line_id, "day": day, "hour": hour, "q": q,
                               "out": q if is_last else 0, "earned": earned})
    s.run(_ORDER_OP, {"o": order_id, "op": op_id, "q": q})
    s.run(_OPERATOR_DAY, {"u": operator_id, "day": day, "line": line_id, "q": q, "earned": earned,
                              "pay": q * rate})


def _good_pieces_limit(s, bundle_id: int, op_id: int, cap: int) -> int:
    """Upper bound of pieces that may be logged at op while the bundle is in rework.

    The quality module registers a function (raw: Raw, bundle_id, op_id, cap) -> int here;
    without it a bundle in rework takes nothing more.
    """
    if REWORK_LIMIT is None:
        return 0
    return REWORK_LIMIT(s, bundle_id, op_id, cap)


REWORK_LIMIT = None  # set by shopfloor.quality when installed


def reverse_entry(log_id: int, *, by_user_id: int, reason: str, now: datetime | None = None,
                  only_operator_id: int | None = None, within_seconds: int | None = None) -> int:
    """Append a reversal row for a ledger entry and take its pieces off every counter.

    Returns the reversal's id. The unique reverses_id makes a second reversal impossible.
    """
    now = now or clock.utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the correction."), status=422)
    try:
        with write_transaction():
            s = Raw(db.session)
            row = s.one(_FIND_LOG, {"id": log_id})
            if row is None:
                raise DomainError(_("That entry does not exist."), status=404)
            (wid, bundle_id, op_id, operator_id, line_id, pieces, sam, rate, created_at, reverses_id,
             order_id, is_last, reversed_by) = row
            created_at = _as_dt(created_at)
            if only_operator_id is not None and operator_id != only_operator_id:
                raise DomainError(_("You can only undo your own entries."), status=403)
            if reverses_id is not None:
                raise DomainError(_("A correction cannot itself be reversed."), status=409)
            if reversed_by is not None:
                raise DomainError(_("This entry was already reversed."), status=409, code="already_reversed")
            if within_seconds is not None and now - created_at > timedelta(seconds=within_seconds):
                raise DomainError(_("Undo is only possible within %(n)d seconds. Ask your supervisor to correct it.",
                                    n=within_seconds), status=409, code="too_late")
            rid = s.one(_INSERT_LOG, {
                "b": bundle_id, "op": op_id, "u": operator_id, "line": line_id, "q": -pieces, "sam": sam,
                "rate": rate, "cid": None, "rev": wid, "reason": reason[:200], "by": by_user_id, "ts": now,
            })[0]
            if s.one(_ADD_PROGRESS, {"b": bundle_id, "op": op_id, "q": -pieces}) is None:
                raise DomainError(_("This entry cannot be reversed."), status=409)
            # Take the pieces off the hour they were credited in, so hourly figures stay true.
            _add_summaries(s, operator_id, line_id, order_id, op_id, -pieces, sam, rate, is_last, created_at)
    except INTEGRITY_ERRORS:
        db.session.rollback()
        raise DomainError(_("This entry was already reversed."), status=409, code="already_reversed") from None
    return rid


def undo_scan(log_id: int, *, user_id: int, now: datetime | None = None) -> int:
    return reverse_entry(log_id, by_user_id=user_id, reason=_("Undone by operator"), now=now,
                         only_operator_id=user_id, within_seconds=UNDO_SECONDS)
