"""Manager review: orders, forecast, budget, efficiency, quality, pay; drill-downs and exports."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor import clock
from shopfloor.attendance import figures
from shopfloor.edge import day, whole
from shopfloor.orders import queries as order_queries
from shopfloor.orders.reconciliation import csv_rows
from shopfloor.planning import queries as planning_queries
from shopfloor.planning.queries import order_rows
from shopfloor.quality import metrics
from shopfloor.review import budget, forecast, queries
from shopfloor.review.svg import line_chart, pareto_chart
from shopfloor.spreadsheet import csv_chunks
from shopfloor.csv_columns import header
from shopfloor.stoppages.downtime import EXPORT_COLUMNS, downtime, export_rows
from shopfloor.vocabulary import ORDERS_OPEN, Efficiency

bp = Blueprint("review", __name__)

# Operators shown in the page's pay table until "show all" is asked for (a large factory's thousand payslips are
# in the CSV export; a page of them all weighs most of a megabyte).
PAY_ROWS = 100


def _period():
    """Date range (default: the last 7 days up to today) and line from the query string, typed at the edge."""
    a = request.args
    end = day(a.get("end")) or clock.local_today()
    start = day(a.get("start")) or end - timedelta(days=6)
    if start > end:
        start, end = end, start
    return start, end, whole(a.get("line"), _("That line does not exist."), minimum=1)


def _context():
    start, end, line_id = _period()
    lines = planning_queries.lines(include_retired=True)
    rows = order_rows(statuses=ORDERS_OPEN, line_id=line_id)
    fc = forecast.order_forecasts([(r.order.id, r.quantity, r.output, r.order.due_date) for r in rows], fresh=True)
    budgets = budget.order_budgets({r.order.id: r.output for r in rows})
    people = figures.period(start, end, line_id)
    eff = queries.line_efficiency(start, end, line_id, people)
    names = {ln.id: ln.name for ln in lines}
    series: dict[str, list] = {}
    for d in eff:
        series.setdefault(names.get(d.line_id, "?"), []).append((d.day.isoformat(), d.efficiency))
    s, _e = clock.local_day_bounds_utc(start)
    _s, e = clock.local_day_bounds_utc(end)
    quality, dhu_days = metrics.lines_by_day(start, end, line_id)
    return dict(start=start, end=end, line_id=line_id, lines=lines, rows=rows, forecasts=fc, budgets=budgets,
                eff=eff, eff_chart=line_chart(series, label=_("Line efficiency by day")),
                dhu_chart=line_chart(dhu_days, unit="", label=_("DHU by day")),
                quality=quality, pareto=metrics.pareto(s, e, line_id),
                eff_period=queries.line_period(eff), **_pay(queries.operator_pay(start, end, line_id, people)),
                short=order_queries.short_shipments(line_id),
                **_downtime(start, end, line_id))


def _pay(pay: list) -> dict:
    """The payslips the page lists: the first PAY_ROWS by name, all of them with ?pay=all."""
    return dict(pay=pay if request.args.get("pay") == "all" else pay[:PAY_ROWS], pay_total=len(pay))


def _downtime(start, end, line_id) -> dict:
    """Stoppage minutes of the period by reason and by line, as Pareto charts, and by day."""
    dt = downtime(start, end, line_id)
    return dict(downtime=dt, downtime_chart=pareto_chart([(r.label, r.minutes, r.cumulative_pct) for r in dt.by_reason],
                                                         unit="", label=_("Downtime minutes by reason")),
                downtime_line_chart=pareto_chart([(r.label, r.minutes, r.cumulative_pct) for r in dt.by_line],
                                                 unit="", label=_("Downtime minutes by line")))


@bp.get("/review")
def index():
    template = "review/_content.html" if request.headers.get("HX-Request") else "review/page.html"
    return render_template(template, **_context())


@bp.get("/review/bundles")
def bundle():
    code = request.args.get("code", "")
    b, log, (qc, rework) = queries.bundle_history(code) if code else (None, [], ([], []))
    status = 404 if code and b is None else 200
    return render_template("review/bundle.html", code=code, bundle=b, log=log, qc=qc, rework=rework), status


def _csv(kind: str, header: list[str]):
    start, end, line_id = _period()
    rows = queries.export_rows(kind, start, end, line_id)
    name = f"{kind}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(stream_with_context(csv_chunks(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/review/export/worklog.csv")
def export_worklog():
    return _csv("worklog", header("entry", "time", "operator", "badge", "line", "order", "bundle", "operation",
                                  "pieces", "sam", "earned_minutes", "piece_rate", "amount", "reversal_of", "reason",
                                  "entered_by", "currency"))


@bp.get("/review/export/qc.csv")
def export_qc():
    return _csv("qc", header("inspection", "time", "kind", "bundle", "order", "line", "inspector", "checked",
                             "defective", "defects", "result", "light"))


@bp.get("/review/export/stops.csv")
def export_stops():
    start, end, line_id = _period()
    name = f"stops-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(stream_with_context(csv_chunks(header(*EXPORT_COLUMNS), export_rows(start, end, line_id))),
                    mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


PAYSLIP_COLUMNS = ("operator", "badge", "line", "days", "pieces", "earned_minutes", "attended_minutes",
                   "off_standard_minutes", "overtime_minutes", "piece_rate_pay", "off_standard_pay", "overtime_premium",
                   "minimum_wage", "top_up", "total_pay", "currency")


@bp.get("/review/export/payslips.csv")
def export_payslips():
    start, end, line_id = _period()
    name = f"payslips-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(stream_with_context(csv_chunks(header(*PAYSLIP_COLUMNS), queries.payslip_rows(start, end, line_id))),
                    mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})
@bp.get("/review/export/reconciliation.csv")
def export_reconciliation():
    """Cut-to-ship reconciliation of every order not cancelled (the line filter applies)."""
    _start, _end, line_id = _period()
    header, rows = csv_rows(order_queries.listed_reconciliations(line_id))
    name = f"reconciliation-{clock.local_today().isoformat()}.csv"
    return Response(stream_with_context(csv_chunks(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/me")
def my_day():
    today = clock.local_today()
    day, entries = queries.operator_day(current_user.id, today)
    mine = next(iter(queries.operator_days(today, today, operator_id=current_user.id)), None)
    earned = float(day.earned_minutes) if day else 0.0
    figures = mine.figures if mine else Efficiency(earned, 0.0)
    return render_template("review/my_day.html", day=day, entries=entries, me=mine, earned=earned,
                           figures=figures)
