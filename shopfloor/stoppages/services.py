"""Stoppages (andon): raise, acknowledge, close, or undo one raised by mistake. Each rule refuses with a DomainError in the user's language;
every change is written to the audit log in the same transaction.

There is no mechanic role: the line's supervisor acknowledges a stop ("I am on it") and closes it.
"""
from __future__ import annotations

from datetime import datetime, time, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shopfloor import clock, signals
from shopfloor.auth import audit
from shopfloor.attendance import kept
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Role, User
from shopfloor.models.stoppages import Stoppage
from shopfloor.stoppages.queries import CANCEL_WINDOW, may_cancel
from shopfloor.vocabulary import STOPS_ACTIVE, StopReason, StopScope, StopStatus

STOP_RAISE, STOP_ACKNOWLEDGE, STOP_CLOSE, STOP_CANCEL = "stop_raise", "stop_acknowledge", "stop_close", "stop_cancel"
audit.LABELS.update({STOP_RAISE: _l("Stop raised"), STOP_ACKNOWLEDGE: _l("Stop acknowledged"), STOP_CLOSE: _l("Stop closed"),
                     STOP_CANCEL: _l("Stop cancelled")})


def open_key(scope: StopScope, line_id: int, operator_id: int | None, machine: str | None) -> str:
    """The scope a stop holds while it is not closed (one open stop per operator, machine or line)."""
    if scope == StopScope.OPERATOR:
        return f"operator:{operator_id}"
    if scope == StopScope.MACHINE:
        return f"machine:{line_id}:{(machine or '').casefold()}"
    return f"line:{line_id}"


def local_start(at: time, now: datetime) -> datetime:
    """A time of day typed by a supervisor ("10:15"), on today's factory-local date, as naive UTC."""
    today = clock.to_local(now).date()
    return datetime.combine(today, at, tzinfo=clock.factory_tz()).astimezone(timezone.utc).replace(tzinfo=None)


def raise_stop(actor: User, *, scope: StopScope, reason: StopReason, line_id: int | None = None,
               operator_id: int | None = None, machine: str | None = None, note: str = "",
               started: time | None = None, now: datetime | None = None) -> Stoppage:
    """Raise a stop. An operator stops only their own work, from now; a supervisor stops an operator, a
    machine or a line, and may start a line stop earlier today (`started`, factory time)."""
    now = now or clock.utcnow()
    machine = (machine or "").strip() or None
    if actor.role == Role.OPERATOR.value:
        if scope != StopScope.OPERATOR or operator_id not in (None, actor.id):
            raise DomainError(_("You can stop only your own work."), status=403)
        if started is not None:
            raise DomainError(_("Only a supervisor can set an earlier start."), status=403)
        operator_id = actor.id
    if scope == StopScope.OPERATOR:
        operator = db.session.get(User, operator_id or 0)
        if operator is None or operator.role != Role.OPERATOR.value or not operator.active:
            raise DomainError(_("Choose the operator who is stopped."))
        if operator.line_id is None:
            raise DomainError(_("%(name)s is on no line: a supervisor assigns the line first.", name=operator.name))
        line_id = operator.line_id
    else:
        operator_id = None
        line = db.session.get(Line, line_id or 0)
        if line is None or not line.active:
            raise DomainError(_("Choose the line that is stopped."))
        if scope == StopScope.MACHINE and not machine:
            raise DomainError(_("Enter the machine's number."))
    if scope == StopScope.LINE:
        machine = None
    key = open_key(scope, line_id, operator_id, machine)
    started_at = now
    if started is not None:
        if scope != StopScope.LINE:
            raise DomainError(_("Only a line stop can start earlier than now."))
        started_at = _backdated(local_start(started, now), now, key)
    _refuse_if_open(key)
    try:
        with write_transaction():
            stop = Stoppage(scope=scope, reason=reason, line_id=line_id, operator_id=operator_id, machine=machine,
                            note=note, status=StopStatus.OPEN, open_key=key, started_at=started_at,
                            raised_by_id=actor.id, raised_at=now)
            db.session.add(stop)
            db.session.flush()
            audit.record(actor.id, STOP_RAISE, target=f"stoppage {stop.id}",
                         details=f"{key} {reason.value} from {started_at:%Y-%m-%d %H:%M} UTC")
            signals.stop_raised.send(None, stop_id=stop.id, scope=scope.value, reason=reason.value, line_id=line_id,
                                     operator_id=operator_id, machine=machine, started_at=started_at, at=now)
    except IntegrityError:  # another raise for the same scope committed first
        _refuse_if_open(key)
        raise
    return stop


def _refuse_if_open(key: str) -> None:
    existing = db.session.scalar(select(Stoppage).where(Stoppage.open_key == key))
    if existing is not None:
        raise DomainError(_("There is already an open stop here (%(reason)s, since %(time)s): it is closed "
                            "before another is raised.", reason=existing.reason.label,
                            time=_hhmm(existing.started_at)), status=409, code="already_open")


def _hhmm(ts: datetime) -> str:
    return clock.to_local(ts).strftime("%H:%M")


def _backdated(started_at: datetime, now: datetime, key: str) -> datetime:
    """An earlier start of a line stop: not in the future, not before today (factory time), and not inside
    an earlier stop of the same line (its minutes would count twice)."""
    if started_at > now:
        raise DomainError(_("The stop cannot start in the future."))
    day_start, _end = clock.local_day_bounds_utc(clock.to_local(now).date())
    if started_at < day_start:
        raise DomainError(_("The stop must start today."))
    line_scope = key.removeprefix("line:")
    last_end = db.session.scalar(select(Stoppage.ended_at).where(
        Stoppage.scope == StopScope.LINE, Stoppage.line_id == int(line_scope), Stoppage.status == StopStatus.CLOSED,
        Stoppage.ended_at > started_at))
    if last_end is not None:
        raise DomainError(_("An earlier stop of this line ended at %(time)s: start this one after it.",
                            time=_hhmm(last_end)))
    return started_at


def _active(stop_id: int) -> Stoppage:
    stop = db.session.get(Stoppage, stop_id)
    if stop is None:
        raise DomainError(_("That stop does not exist."), status=404)
    if stop.status == StopStatus.CLOSED:
        raise DomainError(_("This stop is already closed."), status=409)
    if stop.status == StopStatus.CANCELLED:
        raise DomainError(_("This stop was undone: it was raised by mistake."), status=409)
    return stop


def _forget_days(stop: Stoppage, now: datetime) -> None:
    """A stop that ends now changes the figures of every day it spans (attendance/kept.py; one is raised from
    today on, and acknowledging it changes no minutes)."""
    kept.forget(clock.to_local(stop.started_at).date(), clock.to_local(now).date())


def acknowledge(stop_id: int, actor: User, *, now: datetime | None = None) -> Stoppage:
    """The supervisor (or the mechanic they send) is on it."""
    stop = _active(stop_id)
    if stop.status != StopStatus.OPEN:
        raise DomainError(_("This stop was already acknowledged."), status=409)
    now = now or clock.utcnow()
    with write_transaction():
        done = db.session.execute(update(Stoppage).where(Stoppage.id == stop_id, Stoppage.status == StopStatus.OPEN)
                                  .values(status=StopStatus.ACKNOWLEDGED, acknowledged_by_id=actor.id,
                                          acknowledged_at=now)).rowcount
        if not done:  # acknowledged or closed meanwhile
            raise DomainError(_("This stop was already acknowledged."), status=409)
        audit.record(actor.id, STOP_ACKNOWLEDGE, target=f"stoppage {stop_id}")
    db.session.expire_all()
    return db.session.get(Stoppage, stop_id)


def close(stop_id: int, actor: User, *, now: datetime | None = None) -> Stoppage:
    """Work goes on: the stop ends now (after its start), and its scope may be stopped again."""
    stop = _active(stop_id)
    now = now or clock.utcnow()
    if now <= stop.started_at:
        raise DomainError(_("A stop ends after it starts: close it in a minute."))
    with write_transaction():
        done = db.session.execute(update(Stoppage).where(Stoppage.id == stop_id,
                                                         Stoppage.status.in_(STOPS_ACTIVE))
                                  .values(status=StopStatus.CLOSED, ended_at=now, open_key=None,
                                          closed_by_id=actor.id)).rowcount
        if not done:
            raise DomainError(_("This stop is already closed."), status=409)
        _forget_days(stop, now)
        audit.record(actor.id, STOP_CLOSE, target=f"stoppage {stop_id}",
                     details=f"{int((now - stop.started_at).total_seconds() // 60)} min")
    db.session.expire_all()
    return db.session.get(Stoppage, stop_id)


def cancel(stop_id: int, actor: User, *, now: datetime | None = None) -> Stoppage:
    """Undo a stop raised by mistake: only its raiser, within CANCEL_WINDOW, before anyone acknowledged it. It
    counts no downtime anywhere (queries.stop_intervals leaves it out); the audit log keeps that it was raised
    and undone, and its scope may be stopped again at once."""
    stop = _active(stop_id)
    now = now or clock.utcnow()
    if stop.raised_by_id != actor.id:
        raise DomainError(_("Only the person who raised this stop can undo it."), status=403)
    if stop.status != StopStatus.OPEN:
        raise DomainError(_("Your supervisor is on this stop already: it can no longer be undone."), status=409)
    if not may_cancel(stop, actor.id, now):
        raise DomainError(_("A stop can be undone only in its first %(n)d minutes; ask your supervisor to close it.",
                            n=int(CANCEL_WINDOW.total_seconds() // 60)), status=409)
    with write_transaction():
        done = db.session.execute(update(Stoppage).where(Stoppage.id == stop_id, Stoppage.status == StopStatus.OPEN)
                                  .values(status=StopStatus.CANCELLED, ended_at=max(now, stop.started_at),
                                          open_key=None, closed_by_id=actor.id)).rowcount
        if not done:  # acknowledged or closed meanwhile
            raise DomainError(_("Your supervisor is on this stop already: it can no longer be undone."), status=409)
        _forget_days(stop, now)
        audit.record(actor.id, STOP_CANCEL, target=f"stoppage {stop_id}", details="raised by mistake")
    db.session.expire_all()
    return db.session.get(Stoppage, stop_id)
