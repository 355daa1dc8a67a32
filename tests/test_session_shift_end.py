"""An operator's session on a shared phone ends at the end of their own line's shift, as the shift calendar has
it (a second shift, approved overtime), not at the settings' planned shift (08:00 + 480 minutes)."""
from __future__ import annotations

from datetime import time, timedelta

from shopfloor import clock
from shopfloor.auth import expiry
from shopfloor.shifts import calendar
from shopfloor.shifts import services as calendar_services
from tests.time_helpers import at, overtime, shift


def test_a_second_shift_operator_is_not_signed_out_at_the_planned_shift_s_end(factory):
    line = factory.line()
    shift(line, "06:00", "14:00", number=1)
    shift(line, "14:00", "22:00", number=2)
    day = clock.local_today() - timedelta(days=1)
    signed_in = at(day, 14, 5)
    assert expiry.ended("operator", signed_in, at(day, 16, 59), at(day, 17, 0), line.id) is None
    assert expiry.ended("operator", signed_in, at(day, 21, 59), at(day, 22, 1), line.id) == expiry.Ended.SHIFT
    # without a line the settings' planned shift (08:00-16:00) still ends it
    assert expiry.ended("operator", signed_in, at(day, 16, 59), at(day, 17, 0), None) == expiry.Ended.SHIFT


def test_approved_overtime_keeps_the_session_until_the_overtime_ends(factory):
    line = factory.line()
    shift(line, "08:00", "16:30")
    day = clock.local_today() - timedelta(days=1)
    signed_in = at(day, 8, 5)
    assert expiry.ended("operator", signed_in, at(day, 16, 40), at(day, 16, 41), line.id) == expiry.Ended.SHIFT
    overtime(line, day, "16:30", "18:30")
    calendar.forget_shift_ends()   # what the calendar's own services do after a change
    assert expiry.ended("operator", signed_in, at(day, 16, 40), at(day, 16, 41), line.id) is None
    assert expiry.ended("operator", signed_in, at(day, 18, 30), at(day, 18, 31), line.id) == expiry.Ended.SHIFT


def test_a_calendar_change_through_the_manager_s_page_reaches_sessions_at_once(factory):
    line = factory.line()
    boss = factory.user("manager")
    day = clock.local_today() - timedelta(days=1)
    signed_in = at(day, 14, 5)
    # the planned shift (08:00-16:00) ends a session opened at 14:05 at 16:00
    assert expiry.ended("operator", signed_in, at(day, 16, 59), at(day, 17, 0), line.id) == expiry.Ended.SHIFT
    calendar_services.save_shift(line_id=line.id, number=2, starts_at=time(14, 0), ends_at=time(22, 0),
                                 weekdays="0123456", breaks=[], by_user_id=boss.id)
    assert expiry.ended("operator", signed_in, at(day, 16, 59), at(day, 17, 0), line.id) is None
