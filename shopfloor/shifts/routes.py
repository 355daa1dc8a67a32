"""The shift calendar page (managers): shifts per line with breaks, holidays, overtime approved for a day."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor import clock
from shopfloor.edge import clock_time, day, on_refusal, trimmed, whole
from shopfloor.shifts import queries, services

bp = Blueprint("shifts", __name__)
BREAK_ROWS = 3
WEEKDAYS = "0123456"


def _page(error=None, message=None, status=200):
    today = clock.local_today()
    return render_template("shifts/page.html", lines=queries.line_shifts(today), holidays=queries.holidays(today),
                           overtime=queries.overtime(today), today=today, error=error, message=message,
                           break_rows=BREAK_ROWS), status


def _refused(e):
    return _page(error=e.message, status=e.status)


@bp.get("/calendar")
def index():
    return _page()


def _breaks(form) -> list[services.BreakInput]:
    out = []
    for i in range(BREAK_ROWS):
        at = clock_time(form.get(f"break{i}_start"))
        minutes = whole(form.get(f"break{i}_minutes"), _("Break minutes must be a whole number."), minimum=0,
                        maximum=600)
        if at is not None and minutes:
            out.append(services.BreakInput(at, minutes, form.get(f"break{i}_paid") == "1"))
    return out


@bp.post("/calendar/line/<int:line_id>/shift/<int:number>")
@on_refusal(_refused)
def shift_save(line_id: int, number: int):
    f = request.form
    services.save_shift(line_id=line_id, number=number,
                        starts_at=clock_time(f.get("start")), ends_at=clock_time(f.get("end")),
                        weekdays="".join(d for d in f.getlist("weekday") if d in WEEKDAYS),
                        breaks=_breaks(f), by_user_id=current_user.id)
    return _page(message=_("Shift saved."))


@bp.post("/calendar/shift/<int:shift_id>/delete")
@on_refusal(_refused)
def shift_delete(shift_id: int):
    services.delete_shift(shift_id, by_user_id=current_user.id)
    return _page(message=_("Shift removed: the line keeps its other shift, or the planned shift."))


@bp.post("/calendar/holiday")
@on_refusal(_refused)
def holiday_add():
    services.add_holiday(day=day(request.form.get("day")),
                         name=trimmed(request.form.get("name"), max_len=80, label=_("Name")),
                         by_user_id=current_user.id)
    return _page(message=_("Holiday added."))


@bp.post("/calendar/holiday/<int:holiday_id>/delete")
@on_refusal(_refused)
def holiday_delete(holiday_id: int):
    services.delete_holiday(holiday_id, by_user_id=current_user.id)
    return _page(message=_("Holiday removed."))


@bp.post("/calendar/overtime")
@on_refusal(_refused)
def overtime_approve():
    f = request.form
    services.approve_overtime(line_id=whole(f.get("line"), _("That line does not exist.")), day=day(f.get("day")),
                              starts_at=clock_time(f.get("start")), ends_at=clock_time(f.get("end")),
                              by_user_id=current_user.id)
    return _page(message=_("Overtime approved."))


@bp.post("/calendar/overtime/<int:window_id>/delete")
@on_refusal(_refused)
def overtime_delete(window_id: int):
    services.delete_overtime(window_id, by_user_id=current_user.id)
    return _page(message=_("Overtime withdrawn."))
