"""When an operator's session on a shared phone ends (staff sessions end only when they sign out).

An operator's session ends at the end of the shift it was opened in (the first end after the sign-in of a
stretch their line works: its shifts and approved overtime in the shift calendar, else config SHIFT_START +
SHIFT_MINUTES, factory time) or after OPERATOR_IDLE_MINUTES without use.
Both are read from the session's row (`auth_sessions.created_at`, `used_at`), so the end holds on every
device and server process and a remember-me cookie cannot outlive it. `used_at` is the last use, written
at most once a minute (TOUCH_EVERY), so a busy phone costs one small write a minute, not one a request.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from shopfloor.shifts import calendar
from shopfloor.models import Role
from shopfloor.clock import as_datetime

TOUCH_EVERY = timedelta(minutes=1)
# Requests a page makes by itself, not a person using the phone: they do not keep a session open.
NOT_A_USE = frozenset({"board.live"})


class Ended(StrEnum):
    SHIFT = "shift"
    IDLE = "idle"


REASONS = frozenset(r.value for r in Ended)


def idle_minutes() -> int:
    return int(current_app.config["OPERATOR_IDLE_MINUTES"])


def ended(role: str | None, created_at: datetime | str, used_at: datetime | str, now: datetime,
          line_id: int | None = None) -> Ended | None:
    """Why this session has ended by `now`, or None while it is open (times as the ORM or a raw read gives
    them: the scan API reads them with the bundle, scan/statements.FIND). The shift is the operator's line's
    (shifts/calendar.last_shift_end: its shifts and approved overtime)."""
    if role != Role.OPERATOR.value:
        return None
    if as_datetime(created_at) <= calendar.last_shift_end(line_id, now):
        return Ended.SHIFT
    idle = idle_minutes()
    if idle and as_datetime(used_at) <= now - timedelta(minutes=idle):
        return Ended.IDLE
    return None


def needs_touch(used_at: datetime | str, now: datetime, endpoint: str | None = None) -> bool:
    """Whether this request should be written as the session's last use (at most once a minute; the
    board's own polling is not a use)."""
    return endpoint not in NOT_A_USE and now - as_datetime(used_at) >= TOUCH_EVERY


def message(reason: Ended) -> str:
    if reason is Ended.SHIFT:
        return _("Your session ended at the end of the shift. Scan your badge to sign in again.")
    return ngettext("Your session ended after %(num)d minute without use. Scan your badge to sign in again.",
                    "Your session ended after %(num)d minutes without use. Scan your badge to sign in again.",
                    idle_minutes())
