"""Line capacity (operators x minutes x efficiency) against load (remaining pieces x SAM), and the timeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import select, text

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.models import Line, Order
from shopfloor.models.planning import Milestone
from shopfloor.planning.queries import _last_op_output
from shopfloor.vocabulary import ORDERS_OPEN, MilestoneStatus, working_days_between


def capacity_minutes(operators: int, shift_minutes: int, efficiency: float) -> float:
    """Standard minutes a line can produce in a day: 30 x 480 x 0.70 = 10,080."""
    return operators * shift_minutes * efficiency


@dataclass
class LineLoad:
    line: Line
    operators: int
    capacity_per_day: float
    load_minutes: float = 0.0
    orders: list = field(default_factory=list)
    working_days_left: int = 0

    @property
    def days_of_load(self) -> float:
        return self.load_minutes / self.capacity_per_day if self.capacity_per_day else 0.0

    @property
    def overloaded(self) -> bool:
        return self.days_of_load > self.working_days_left


def line_loads() -> list[LineLoad]:
    shift = int(current_app.config["SHIFT_MINUTES"])
    today = clock.local_today()
    ops = dict(db.session.execute(text("SELECT line_id, count(*) FROM users WHERE role = 'operator' AND active "
                                       "AND line_id IS NOT NULL GROUP BY line_id")).all())
    orders = db.session.scalars(select(Order).where(Order.status.in_(ORDERS_OPEN))).all()
    out = _last_op_output([o.id for o in orders])
    loads = {ln.id: LineLoad(ln, ops.get(ln.id, 0), capacity_minutes(ops.get(ln.id, 0), shift,
                                                                      float(ln.target_efficiency)))
             for ln in db.session.scalars(select(Line).where(Line.active.is_(True)).order_by(Line.code))}
    for o in orders:
        if o.line_id not in loads:
            continue
        remaining = max(0, o.total_quantity - out.get(o.id, 0))
        ll = loads[o.line_id]
        ll.load_minutes += remaining * float(o.style.total_sam)
        ll.orders.append(o)
        days = working_days_between(today, o.due_date)
        ll.working_days_left = max(ll.working_days_left, days)
    return list(loads.values())


def timeline_svg(width: int = 1100) -> Markup:
    """Orders as bars per line from planned sewing start to ex-factory, milestones as ticks, today as a line."""
    today = clock.local_today()
    rows = []
    for ll in line_loads():
        for o in sorted(ll.orders, key=lambda o: o.due_date):
            ms = {m.key: m for m in db.session.scalars(select(Milestone).where(Milestone.order_id == o.id))}
            start = (ms["sewing_start"].actual or ms["sewing_start"].planned) if "sewing_start" in ms else today
            rows.append((ll.line.code, o, start, o.due_date, list(ms.values())))
    if not rows:
        return Markup("")
    # Every bar and milestone inside the chart (a milestone before the first sewing start, fabric in-house say, was
    # drawn over the orders' names).
    dates = [today] + [d for r in rows for d in (r[2], r[3], *(m.actual or m.planned for m in r[4]))]
    lo, hi = min(dates) - timedelta(days=2), max(dates) + timedelta(days=2)
    span = max(1, (hi - lo).days)
    left, row_h, top = 190, 30, 24
    height = top + row_h * len(rows) + 10

    def x(d: date) -> float:
        return left + (d - lo).days / span * (width - left - 10)

    parts = [f'<svg class="gantt" viewBox="0 0 {width} {height}" role="img">']
    names = [f'<g class="names"><rect class="names-bg" x="0" y="0" width="{left - 8}" height="{height}"/>']
    for d in clock.days(lo, hi):
        if d.weekday() == 0:
            parts.append(f'<line class="week" x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{top - 6}" y2="{height}"/>'
                         f'<text class="date" x="{x(d):.1f}" y="{top - 10}">{d:%d/%m}</text>')
    for i, (line_code, o, start, end, ms) in enumerate(rows):
        y = top + i * row_h
        late = any(m.key == "ex_factory" for m in ms) and today > end
        cls = "bar late" if late else "bar"
        names.append(f'<text class="label" x="4" y="{y + 19}">{escape(line_code)} · {escape(o.number)}</text>')
        parts.append(f'<rect class="{cls}" x="{x(start):.1f}" y="{y + 6}" width="{max(4, x(end) - x(start)):.1f}" '
                     f'height="{row_h - 12}" rx="5"><title>{escape(o.number)} {start} → {end}</title></rect>')
        for m in ms:
            state = MilestoneStatus.of(m.planned, m.actual, today)
            mcls = {MilestoneStatus.DONE: "ms done", MilestoneStatus.LATE: "ms overdue"}.get(state, "ms")
            parts.append(f'<circle class="{mcls}" cx="{x(m.actual or m.planned):.1f}" cy="{y + row_h / 2:.1f}" r="4">'
                         f'<title>{escape(m.key)} {m.actual or m.planned}</title></circle>')
    parts.append(f'<line class="today" x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{top - 6}" y2="{height}"/>')
    # The orders' names last, over the bars: where the chart scrolls sideways (a phone), page.js keeps them at its
    # left edge (data-names-width: the column's width in the chart's units).
    parts += names + ["</g></svg>"]
    parts[0] = parts[0].replace('role="img"', f'role="img" data-names-width="{left - 8}"')
    return Markup("".join(parts))
