"""Work logging: one tap credits a bundle operation, exactly once, never beyond the bundle.

The hot path is plain SQL (shopfloor.scan.ledger) in one short write transaction:
  1. insert the ledger row, ON CONFLICT(client_id) DO NOTHING   -> a replay adds nothing
  2. conditional upsert of the bundle x operation counter        -> never more than the bundle holds
     (the CHECK constraint done <= pieces backs it up inside the database)
  3. upsert the line x hour, order x operation and operator x day summaries -> the board and pay read these
A correction is a reversal row written the same way, with the pieces, rates and output flag of its entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from shopfloor import clock, signals
from shopfloor.attendance import kept
from shopfloor.auth import expiry
from shopfloor.database import raw_connection, write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.scan import ledger
from shopfloor.scan.codes import parse_reference
from shopfloor.scan.ledger import Entry, LoggedEntry, Raced, Replay, ScanTarget, SessionRow
from shopfloor.clock import as_datetime
from shopfloor.scan.sql import INTEGRITY_ERRORS, Raw
from shopfloor.scan.statements import DONE_BY, EARLIER_NOT_DONE, FIND, FIND_LOG, REPLAY, SESSION_OPEN, SESSION_TOUCH
from shopfloor.models.people import Role
from shopfloor.vocabulary import ORDERS_BEFORE_SEWING, ORDERS_ON_FLOOR, ORDERS_STOPPED, BundleStatus, SequenceCheck, seq_ranges

UNDO_SECONDS = 30
MAX_INT = 2_147_483_647  # ids and piece counts fit the columns of both databases
MAX_CLIENT_ID = 64
_STOPPED = frozenset(s.value for s in ORDERS_STOPPED)
_ON_FLOOR = frozenset(s.value for s in ORDERS_ON_FLOOR)
_BEFORE_SEWING = frozenset(s.value for s in ORDERS_BEFORE_SEWING)
_HOLD, _REWORK = BundleStatus.HOLD.value, BundleStatus.REWORK.value
_WARN, _BLOCK = SequenceCheck.WARN.value, SequenceCheck.BLOCK.value


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


@dataclass
class _Replayed:
    result: ScanResult
    operator_id: int


def _replayed(*, log_id, bundle_id, bundle_code, operation_id, pieces, created_at, operator_id) -> _Replayed:
    return _Replayed(ScanResult(log_id, False, bundle_id, bundle_code, operation_id, pieces, as_datetime(created_at)),
                     operator_id)


def _someone_elses_id() -> DomainError:
    """A client id already used by another person: nothing of their entry is shown, nothing is logged."""
    return DomainError(_("This scan's id was already used on another person's scan, so nothing was logged. "
                         "Scan the ticket again."), status=409, code="client_id_taken")


def _validate_client_id(client_id: str | None) -> str | None:
    if client_id is None or client_id == "":
        return None
    client_id = str(client_id)
    if len(client_id) > MAX_CLIENT_ID or not client_id.isprintable():
        raise DomainError(_("The scan's client id is not valid."), status=422)
    return client_id


def _whole(value) -> int | None:
    """A whole number as a form or JSON sends it: an int (not a bool or a float) or plain digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().lstrip("-").isdigit() \
            and len(value.strip()) <= 12:
        n = int(value.strip())
    else:
        return None
    return n if -MAX_INT <= n <= MAX_INT else None


def _validate_qty(qty) -> int | None:
    if qty is None or qty == "":
        return None
    q = _whole(qty)
    if q is None:
        raise DomainError(_("The number of pieces must be a whole number."), status=422)
    if q < 1:
        raise DomainError(_("The number of pieces must be at least 1."), status=422)
    return q


def find_replay(client_id: str | None, operator_id: int, raw: Raw | None = None) -> ScanResult | None:
    """The entry an earlier send of this scan wrote, if it was this operator's (else refused)."""
    if not client_id:
        return None
    found = (raw or Raw(db.session)).one(REPLAY, {"cid": client_id}, into=_replayed)
    if found is None:
        return None
    if found.operator_id != operator_id:
        raise _someone_elses_id()
    return found.result


def done_by(bundle_id: int, operation_id: int, raw: Raw | None = None) -> list[str]:
    return (raw or Raw(db.session)).column(DONE_BY, {"b": bundle_id, "op": operation_id})


def record_scan(*, operator_id: int, operator_line_id: int | None = None, bundle_ref: str, operation_id,
                qty=None, client_id: str | None = None, now: datetime | None = None,
                check_operator_roles: tuple[str, ...] | None = None, claim_check: bool = False,
                confirmed_by: int | None = None, session_sid_hash: str | None = None,
                log_anyway: bool = False) -> ScanResult:
    """Credit `qty` pieces (default: all remaining) of an operation on a bundle to an operator.

    With check_operator_roles the operator's role, active flag and line are read in the same
    transaction (the scan API's lean sign-in check). With claim_check (the floor's entry points) an
    operator claims only their own work (see _check_claim) unless a supervisor confirmed it
    (confirmed_by: that supervisor, recorded as the entry's author). With session_sid_hash the sending
    cookie's session must still be open (signed-out cookies are refused), checked in the same read.
    With log_anyway the operator already answered "log anyway" to earlier operations not done yet (a
    style that warns; a supervisor's confirmation answers it too); a style that blocks refuses it all the
    same (see _check_sequence).
    """
    client_id = _validate_client_id(client_id)
    code = parse_reference(bundle_ref)
    q = _validate_qty(qty)
    op_id = _whole(operation_id)
    if op_id is None or op_id < 1:
        raise DomainError(_("Choose an operation."), status=422)
    now = now or clock.utcnow()

    try:
        with raw_connection() as rc:
            s = Raw(cursor=rc.cur, pg=rc.pg)
            # One read: the bundle and operation, an earlier scan with this client id, the operator.
            target = s.one(FIND, {"code": code, "op": op_id, "cid": client_id, "u": operator_id,
                                  "sid": session_sid_hash}, into=ScanTarget)
            touch = None if session_sid_hash is None else _open_session(s, session_sid_hash, operator_id, target, now)
            if target is not None and target.replay_id is not None:
                if target.replay_operator_id != operator_id:
                    raise _someone_elses_id()
                return find_replay(client_id, operator_id, s)
            if check_operator_roles is not None:
                operator_line_id = _check_operator(target, check_operator_roles)
            q = _plan_scan(s, target, code, q)
            if claim_check and confirmed_by is None:
                _check_claim(target, op_id)
            _check_sequence(s, target, op_id, log_anyway or confirmed_by is not None)
            entry = Entry(bundle_id=target.bundle_id, order_id=target.order_id, operation_id=op_id,
                          operator_id=operator_id, line_id=operator_line_id or target.order_line_id, pieces=q,
                          sam=target.sam, rate_e4=target.rate_e4, is_output=bool(target.is_output), at=now,
                          bucket_at=now, created_by=confirmed_by or operator_id, cap=target.bundle_pieces,
                          counter_exists=target.cap is not None, client_id=client_id)
            events = _events(target, entry)
            # The writes alone hold the lock; the conditional update re-checks what the read saw. With nothing
            # else to write, PostgreSQL's one write statement commits itself (no BEGIN / COMMIT round trips).
            with rc.write(alone=touch is None and not events):
                log_id = ledger.write(s, entry)
                if touch is not None:
                    s.run(SESSION_TOUCH, {"now": now, "id": touch})
                for signal, kwargs in events:
                    signal.send(current_app._get_current_object(), raw=s, **kwargs)
    except Replay:
        return find_replay(client_id, operator_id)
    except (Raced, *INTEGRITY_ERRORS):
        replay = find_replay(client_id, operator_id)
        if replay is not None:
            return replay
        raise DomainError(_("Those pieces were just logged by someone else. Scan again to see what is left."),
                          status=409, code="over_quantity") from None
    return ScanResult(log_id=log_id, created=True, bundle_id=entry.bundle_id, bundle_code=code,
                      operation_id=op_id, pieces=entry.pieces, created_at=now)


def _events(t: ScanTarget, e: Entry) -> list[tuple]:
    """The scan's events that have receivers, with their arguments (sent in the write's transaction)."""
    events = []
    if signals.work_logged.receivers:
        events.append((signals.work_logged, dict(
            order_id=e.order_id, order_status=t.order_status, bundle_id=e.bundle_id, operation_id=e.operation_id,
            is_output=e.is_output, pieces=e.pieces, at=e.at)))
    if t.order_status in _BEFORE_SEWING and signals.sewing_started.receivers:
        events.append((signals.sewing_started, dict(order_id=e.order_id, at=e.at)))
    if e.is_output and signals.output_logged.receivers:
        events.append((signals.output_logged, dict(order_id=e.order_id, operation_id=e.operation_id,
                                                   pieces=e.pieces, at=e.at)))
    return events


def _plan_scan(s: Raw, t: ScanTarget | None, code: str, q: int | None) -> int:
    """Check a scan against the bundle as read; returns the pieces to log."""
    if t is None:
        raise DomainError(_("No bundle has the code %(code)s.", code=code), status=404, code="unknown")
    if t.operation_id is None or not t.on_style:
        raise DomainError(_("This operation is not on this bundle's style."), status=422, code="wrong_operation")
    if t.bundle_status == _HOLD or t.order_status in _STOPPED:
        raise DomainError(_("Bundle %(code)s is on hold. Do not work on it; tell your supervisor.", code=code),
                          status=409, code="hold")
    cap = t.cap if t.cap is not None else t.bundle_pieces
    done = t.done or 0
    remaining = cap - done
    if t.bundle_status == _REWORK:
        remaining = min(remaining, rework_cap(s, t.bundle_id, t.operation_id, cap) - done)
    if remaining <= 0:
        if t.bundle_status == _REWORK:
            raise DomainError(_("Bundle %(code)s is in rework: no good pieces are left to log here.", code=code),
                              status=409, code="rework")
        names = ", ".join(done_by(t.bundle_id, t.operation_id, s)) or "?"
        raise DomainError(_("Already done: all %(n)d pieces of this operation were logged by %(who)s.",
                            n=cap, who=names), status=409, code="already_done")
    q = remaining if q is None else q
    if q > remaining:
        raise DomainError(_("Only %(left)d pieces remain for this operation; you asked for %(q)d.",
                            left=remaining, q=q), status=409, code="over_quantity")
    return q


def _check_sequence(s: Raw, t: ScanTarget, op_id: int, log_anyway: bool) -> None:
    """Earlier operations of the bulletin with no pieces on the bundle (read with the bundle): a style that
    warns asks first (answered by log_anyway), one that blocks refuses. Which ones is asked only then."""
    if not t.earlier_missing or t.sequence_check not in (_WARN, _BLOCK) or (log_anyway and t.sequence_check == _WARN):
        return
    seqs = s.column(EARLIER_NOT_DONE, {"b": t.bundle_id, "op": op_id})
    ops = seq_ranges(seqs)
    if t.sequence_check == _BLOCK:
        raise DomainError(ngettext("Operation %(ops)s is not done yet: log it first.",
                                   "Operations %(ops)s are not done yet: log them first.", len(seqs), ops=ops),
                          status=409, code="earlier_not_done", operations=ops)
    raise DomainError(ngettext("Operation %(ops)s is not done yet. Log anyway?",
                               "Operations %(ops)s are not done yet. Log anyway?", len(seqs), ops=ops),
                      status=409, code="confirm_sequence", operations=ops)


def _check_operator(t: ScanTarget | None, roles: tuple[str, ...]) -> int | None:
    """Role, active flag and line of the scanning user, as read with the bundle."""
    if t is None:
        return None
    if t.user_role is None or not t.user_active or (t.user_role not in roles and t.user_role != "admin"):
        raise DomainError(_("Your role does not allow this page."), status=403, code="forbidden")
    return t.user_line_id


def _open_session(s: Raw, sid_hash: str, user_id: int, target: ScanTarget | None, now: datetime) -> int | None:
    """Refuse a scan whose sending session is closed or has ended (auth/expiry.py); read with the bundle, or
    asked apart when there is no such bundle (the scan's read returned no row). Returns the session row's id
    when this scan should be written as its last use (at most once a minute), else None."""
    row = target if target is not None else s.one(SESSION_OPEN, {"sid": sid_hash, "u": user_id}, into=SessionRow)
    if row is None or row.session_id is None:
        raise DomainError(_("Sign in first."), status=401, code="signed_out")
    reason = expiry.ended(row.user_role, row.session_created_at, row.session_used_at, now, row.user_line_id)
    if reason is not None:  # the row stays, refused alike on every request, until the next sign-in replaces it
        raise DomainError(expiry.message(reason), status=401, code="session_ended")
    return row.session_id if expiry.needs_touch(row.session_used_at, now) else None


def _check_claim(t: ScanTarget, op_id: int) -> None:
    """An operator logs only their own work: a bundle of an order on the floor on their own line, at the
    operation they are assigned to. Anything else waits for a supervisor's confirmation on the phone."""
    if t.user_role != Role.OPERATOR.value:
        return
    if t.order_status not in _ON_FLOOR:
        reason = _("This bundle's order is not on the floor.")
    elif t.user_line_id is None or t.order_line_id != t.user_line_id:
        reason = _("This bundle is not for your line.")
    elif t.user_operation_id != op_id:
        reason = _("This is not your operation.")
    else:
        return
    raise DomainError(reason + " " + _("A supervisor can confirm it on this phone."), status=403,
                      code="needs_confirmation")


def rework_cap(s: Raw, bundle_id: int, op_id: int, cap: int) -> int:
    """Upper bound of pieces that may be logged at op while the bundle is in rework.

    Asked through signals.rework_cap: the smallest answer wins; without an answer a bundle in
    rework takes nothing more.
    """
    answers = [r for _f, r in signals.rework_cap.send(current_app._get_current_object(), raw=s, bundle_id=bundle_id,
                                                      operation_id=op_id, cap=cap) if isinstance(r, int)]
    return min(answers) if answers else 0


def reverse_entry(log_id: int, *, by_user_id: int, reason: str, now: datetime | None = None,
                  only_operator_id: int | None = None, within_seconds: int | None = None) -> int:
    """Append a reversal row for a ledger entry and take its pieces off every counter.

    The reversal copies the entry's rates and stored output flag, and is counted in the hour the entry
    was, so the summaries go back to exactly what they were whatever happened to the bulletin since.
    Returns the reversal's id. The unique reverses_id makes a second reversal impossible.
    """
    now = now or clock.utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the correction."), status=422)
    try:
        with write_transaction():
            s = Raw(db.session)
            e = s.one(FIND_LOG, {"id": log_id}, into=LoggedEntry)
            if e is None:
                raise DomainError(_("That entry does not exist."), status=404)
            created_at = as_datetime(e.created_at)
            if only_operator_id is not None and e.operator_id != only_operator_id:
                raise DomainError(_("You can only undo your own entries."), status=403)
            if e.reverses_id is not None:
                raise DomainError(_("A correction cannot itself be reversed."), status=409)
            if e.reversed_by is not None:
                raise DomainError(_("This entry was already reversed."), status=409, code="already_reversed")
            if within_seconds is not None and now - created_at > timedelta(seconds=within_seconds):
                raise DomainError(_("Undo is only possible within %(n)d seconds. Ask your supervisor to correct it.",
                                    n=within_seconds), status=409, code="too_late")
            kept.forget(clock.to_local(created_at).date())   # an old entry: its day's pieces change
            try:
                return ledger.write(s, Entry(
                    bundle_id=e.bundle_id, order_id=e.order_id, operation_id=e.operation_id,
                    operator_id=e.operator_id, line_id=e.line_id, pieces=-e.pieces, sam=e.sam, rate_e4=e.rate_e4,
                    is_output=bool(e.is_output), at=now, bucket_at=created_at, created_by=by_user_id,
                    reverses_id=e.log_id, reason=reason[:200]))
            except Raced:
                raise DomainError(_("This entry cannot be reversed."), status=409) from None
    except INTEGRITY_ERRORS:
        db.session.rollback()
        raise DomainError(_("This entry was already reversed."), status=409, code="already_reversed") from None


def undo_scan(log_id: int, *, user_id: int, now: datetime | None = None) -> int:
    return reverse_entry(log_id, by_user_id=user_id, reason=_("Undone by operator"), now=now,
                         only_operator_id=user_id, within_seconds=UNDO_SECONDS)
