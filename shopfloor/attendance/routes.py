"""Attendance: the gate (clock in and out by badge) and the supervisor's presence page with corrections.

The gate page runs on a phone or tablet that a supervisor (or manager) has signed in: it clocks anyone whose
signed badge is read, and shows nothing else of the factory."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor import clock
from shopfloor.attendance import queries, services
from shopfloor.edge import clock_time, lenient_day, lenient_whole, on_refusal, trimmed

bp = Blueprint("attendance", __name__)


def _day():
    """The day shown and corrected: ?day= (a past day), else today."""
    today = clock.local_today()
    chosen = lenient_day(request.values.get("day"))
    return min(chosen, today) if chosen else today


def _presence(error=None, message=None, status=200):
    line_id = lenient_whole(request.values.get("line"))
    shown = _day()
    template = "attendance/_presence.html" if request.headers.get("HX-Request") else "attendance/presence.html"
    return render_template(template, lines=queries.presence(shown, line_id), line_id=line_id, day=shown,
                           today=clock.local_today(), corrections=queries.corrections(shown), error=error,
                           message=message, editing=lenient_whole(request.values.get("operator"))), status


def _presence_refused(e):
    return _presence(error=e.message, status=e.status)


@bp.get("/attendance")
def presence():
    return _presence()


@bp.post("/attendance/correct/<int:user_id>")
@on_refusal(_presence_refused)
def correct(user_id: int):
    f = request.form
    services.correct(user_id, _day(), time_in=clock_time(f.get("time_in")),
                     time_out=clock_time(f.get("time_out")),
                     reason=trimmed(f.get("reason"), max_len=200, label=_("Reason")), by_user_id=current_user.id)
    return _presence(message=_("Attendance corrected. The scanned times are kept in the record's history."))


def _gate(result=None, error=None, status=200):
    template = "attendance/_gate.html" if request.headers.get("HX-Request") else "attendance/gate.html"
    return render_template(template, result=result, error=error), status


@bp.get("/gate")
def gate():
    return _gate()


@bp.post("/gate/punch")
@on_refusal(lambda e: _gate(error=e.message, status=e.status))
def punch():
    return _gate(result=services.punch(request.form.get("badge", "")[:200]))
