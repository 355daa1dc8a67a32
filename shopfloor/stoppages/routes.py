"""Stoppages (andon) from the phone: an operator stops their own work; a supervisor stops an operator, a
machine or a line (a line from earlier today), acknowledges and closes. Parse -> one service -> page."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor import clock
from shopfloor.edge import choice, on_refusal, time_of_day, trimmed, whole
from shopfloor.models import Role
from shopfloor.models.stoppages import MACHINE_LEN, NOTE_LEN
from shopfloor.stoppages import queries, services
from shopfloor.supervise import queries as supervise_queries
from shopfloor.vocabulary import StopReason, StopScope

bp = Blueprint("stoppages", __name__)


def _is_operator() -> bool:
    return current_user.role == Role.OPERATOR.value


def _status_context() -> dict:
    now = clock.utcnow()
    ctx = dict(now=now, elapsed=lambda stop: queries.elapsed_minutes(stop.started_at, now),
               alert_after=current_app.config["STOP_ALERT_MINUTES"],
               may_cancel=lambda stop: queries.may_cancel(stop, current_user.id, now))
    if _is_operator():
        return dict(ctx, mine=queries.open_stop_of(current_user.id), active=[], operator_view=True)
    return dict(ctx, mine=None, active=queries.active_stops(), operator_view=False)


def _page(error=None, status=200):
    ctx = _status_context()
    if not ctx["operator_view"]:
        ctx.update(lines=[ln for ln in supervise_queries.lines() if ln.active],
                   operators=supervise_queries.operators(None),
                   closed=queries.closed_today())
    return render_template("stoppages/page.html", reasons=list(StopReason), scopes=list(StopScope),
                           error=error, form=request.form, **ctx), status


def _refused(e):
    return _page(error=e.message, status=e.status)


@bp.get("/stops")
def page():
    return _page()


@bp.get("/stops/status")
def status():
    """The open stops and their minutes, polled by the page (never the raise form, which keeps its input)."""
    return render_template("stoppages/_status.html", **_status_context())


@bp.post("/stops")
@on_refusal(_refused)
def raise_stop():
    f = request.form
    scope = StopScope.OPERATOR if _is_operator() else choice(StopScope, f.get("scope"), _("Choose what is stopped."))
    stop = services.raise_stop(
        current_user, scope=scope, reason=choice(StopReason, f.get("reason"), _("Choose the reason for the stop.")),
        line_id=whole(f.get("line"), _("Choose the line that is stopped."), minimum=1),
        operator_id=whole(f.get("operator"), _("Choose the operator who is stopped."), minimum=1),
        machine=trimmed(f.get("machine"), max_len=MACHINE_LEN, label=_("Machine")),
        note=trimmed(f.get("note"), max_len=NOTE_LEN, label=_("Note")),
        started=time_of_day(f.get("started"), _("Enter the start as a time of day, e.g. 10:15.")))
    flash(_("Stop raised: %(reason)s. The supervisor sees it on the board.", reason=stop.reason.label), "info")
    return redirect(url_for("stoppages.page"), 303)


@bp.post("/stops/<int:stop_id>/acknowledge")
@on_refusal(_refused)
def acknowledge(stop_id: int):
    services.acknowledge(stop_id, current_user)
    flash(_("Acknowledged: the stop shows you are on it."), "info")
    return redirect(url_for("stoppages.page"), 303)


@bp.post("/stops/<int:stop_id>/close")
@on_refusal(_refused)
def close(stop_id: int):
    stop = services.close(stop_id, current_user)
    flash(_("Closed: work goes on after %(n)d min.", n=queries.elapsed_minutes(stop.started_at, stop.ended_at)),
          "info")
    return redirect(url_for("stoppages.page"), 303)


@bp.post("/stops/<int:stop_id>/cancel")
@on_refusal(_refused)
def cancel(stop_id: int):
    services.cancel(stop_id, current_user)
    flash(_("Stop undone: it counts no downtime."), "info")
    return redirect(url_for("stoppages.page"), 303)
