"""Wall-board figures, read from the summary tables kept in the scan transaction (never GROUP BY the ledger)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import bindparam, text

from shopfloor import clock
from shopfloor.attendance import figures
from shopfloor.board.hours import chart_day, working_day
from shopfloor.extensions import db
from shopfloor.models.people import Role
from shopfloor.shifts import calendar
from shopfloor.supervise import queries as supervise
from shopfloor.vocabulary import ORDERS_ON_FLOOR, Efficiency, OrderStatus, STYLE_ENDS_SQL, ShipmentStatus, StopStatus



@dataclass
class HourBar:
    hour: int
    output: int
    target: float
    current: bool = False


@dataclass
class LineBoard:
    id: int
    code: str
    name: str
    target_efficiency: float
    operators: int = 0
    pieces: int = 0            # operations logged today (all operations)
    output: int = 0            # garments out (last operation) today
    earned_minutes: float = 0.0
    minutes_worked: float = 0.0
    attended_minutes: float = 0.0    # Σ the operators' attended minutes today (attendance/figures.py)
    off_standard_minutes: float = 0.0
    shifts: list[tuple[int, datetime, datetime]] = field(default_factory=list)  # from the shift calendar
    target_per_hour: float = 0.0
    wip_pieces: int = 0  # pieces started and not yet out (supervise.queries.LineFlow.wip)
    style: str = ""
    hours: list[HourBar] = field(default_factory=list)

    @cached_property   # set once the board is built; read twice for each hour's bar
    def chart_top(self) -> float:
        """The chart's full height: the best hour or the target, with room above for its figure."""
        return max([h.output for h in self.hours] + [self.target_per_hour, 1]) * 1.15

    def chart_percent(self, value: float) -> float:
        return round(value * 100.0 / self.chart_top, 1)

    @property
    def figures(self) -> Efficiency:
        return Efficiency(self.earned_minutes, self.attended_minutes, self.off_standard_minutes)

    @property
    def efficiency(self) -> float | None:
        """Overall efficiency: Σ(pieces × SAM) × 100 / attended minutes (vocabulary.Efficiency)."""
        return self.figures.overall

    @property
    def on_standard(self) -> float | None:
        return self.figures.on_standard

    @property
    def target_so_far(self) -> float:
        return self.target_per_hour * self.minutes_worked / 60.0

    @property
    def vs_target(self) -> float | None:
        """Output as % of the target so far; undefined before the shift has a target."""
        return self.output * 100.0 / self.target_so_far if self.target_so_far else None


@dataclass
class OrderBoard:
    id: int
    number: str
    customer: str
    style: str
    line_code: str
    due_date: date
    quantity: int
    output: int
    days_left: int
    packed: int = 0    # pieces in cartons (packing/queries.packed_pieces, summed)
    shipped: int = 0   # of them, in shipments that left

    @property
    def percent(self) -> float:
        return min(100.0, self.output * 100.0 / self.quantity) if self.quantity else 0.0


@dataclass
class Board:
    day: date
    now: datetime
    lines: list[LineBoard]
    orders: list[OrderBoard]
    version: str


# The newest id of the ledger and of the quality checks, and the sum of their latest RECENT ids: on PostgreSQL
# ids are taken when a transaction starts writing, so a scan may commit after one with a higher id; its row
# then joins the latest ids (the sum moves) though the maximum does not. A backward walk of RECENT entries of
# each primary-key index (LIMIT keeps the plan the same whatever the ledger's size).
RECENT = 200
_VERSION = text(f"""
SELECT (SELECT max(id) FROM work_log) AS log_top,
       (SELECT sum(id) FROM (SELECT id FROM work_log ORDER BY id DESC LIMIT {RECENT}) AS w) AS log_sum,
       (SELECT max(id) FROM inspections) AS qc_top,
       (SELECT sum(id) FROM (SELECT id FROM inspections ORDER BY id DESC LIMIT {RECENT}) AS q) AS qc_sum,
       (SELECT max(id) FROM stoppages) AS stop_top,
       (SELECT sum(id) FROM stoppages WHERE status = '{StopStatus.OPEN.value}') AS stop_open,
       (SELECT sum(id) FROM stoppages WHERE status = '{StopStatus.ACKNOWLEDGED.value}') AS stop_ack,
       (SELECT max(id) FROM pack_entries) AS pack_top,
       (SELECT sum(id) FROM (SELECT id FROM pack_entries ORDER BY id DESC LIMIT {RECENT}) AS p) AS pack_sum,
       (SELECT sum(id) FROM shipments WHERE status = '{ShipmentStatus.SHIPPED.value}') AS shipped
""")


def version(now_utc: datetime | None = None) -> str:
    """The board's version, cheap enough to read every poll (one statement, a few hundred index entries).

    It changes when the ledger changes (every scan, undo and correction is a new work_log row, and the
    summaries the board reads are written with it), when a quality check is recorded, and when the
    factory-local minute turns: the board shows the time, and the target so far and efficiency move
    with the minutes worked (and an open stop's minutes). A stoppage raised (the newest id), acknowledged
    or closed (the sums of the open and of the acknowledged ids) changes it too, and so do pieces packed (the
    newest pack entry and the sum of the latest ones) and a shipment leaving (the sum of shipped ids). Anything else the office changes (an order cut, a line renamed) shows
    within that minute."""
    row = db.session.execute(_VERSION).one()._mapping
    now = clock.to_local(now_utc or clock.utcnow())
    return (f"{now:%Y%m%d%H%M}-{row['log_top'] or 0}.{row['log_sum'] or 0}"
            f"-{row['qc_top'] or 0}.{row['qc_sum'] or 0}"
            f"-{row['stop_top'] or 0}.{row['stop_open'] or 0}.{row['stop_ack'] or 0}"
            f"-{row['pack_top'] or 0}.{row['pack_sum'] or 0}.{row['shipped'] or 0}")


# The active lines with their operators assigned (the head count before anyone logged or clocked in).
_LINES = text(f"""SELECT l.id, l.code, l.name, l.target_efficiency,
       (SELECT count(*) FROM users u WHERE u.line_id = l.id AND u.role = '{Role.OPERATOR.value}' AND u.active)
FROM lines l WHERE l.active ORDER BY l.code""")
# By the primary key (line, day, hour): the active lines' rows of the day, not a scan of every day's.
_HOURS = text("SELECT line_id, hour, pieces, output, earned_minutes FROM line_hour_output "
              "WHERE line_id IN :lines AND day = :day").bindparams(bindparam("lines", expanding=True))
# A counter read by its key per order (a join would let the planner scan every order's progress rows).
_ORDERS = text("""
SELECT o.id, o.number, o.customer, s.code, l.code, o.due_date, o.line_id, o.style_id,
       (SELECT sum(q.quantity) FROM order_quantities q WHERE q.order_id = o.id),
       e.sam,
       COALESCE((SELECT p.done FROM order_op_progress p
                 WHERE p.order_id = o.id AND p.operation_id = e.output_op_id), 0),
       COALESCE((SELECT sum(cl.packed) FROM cartons c JOIN carton_lines cl ON cl.carton_id = c.id
                 WHERE c.order_id = o.id), 0),
       COALESCE((SELECT sum(cl.packed) FROM cartons c JOIN carton_lines cl ON cl.carton_id = c.id
                 JOIN shipments s ON s.id = c.shipment_id
                 WHERE c.order_id = o.id AND s.status = '""" + ShipmentStatus.SHIPPED.value + """'), 0)
FROM orders o JOIN styles s ON s.id = o.style_id LEFT JOIN lines l ON l.id = o.line_id
LEFT JOIN """ + STYLE_ENDS_SQL + """ e ON e.style_id = o.style_id
WHERE o.status IN """ + OrderStatus.sql(ORDERS_ON_FLOOR) + """
ORDER BY o.due_date, o.number
""")


def board(now_utc: datetime | None = None) -> Board:
    now_utc = now_utc or clock.utcnow()
    # Read before the figures: a scan landing in between then makes the next poll fetch again.
    tag = version(now_utc)
    now_local = clock.to_local(now_utc)
    day = now_local.date()

    lines, assigned = {}, {}
    for line_id, code, name, target, n in db.session.execute(_LINES):
        lines[line_id] = LineBoard(id=line_id, code=code, name=name, target_efficiency=float(target))
        assigned[line_id] = int(n)
    hourly: dict[int, dict[int, tuple]] = {}
    for line_id, hour, pieces, output, earned in (db.session.execute(_HOURS, {"lines": list(lines), "day": day}).all()
                                                  if lines else ()):
        if line_id in lines:
            hourly.setdefault(line_id, {})[hour] = (pieces, output, earned)
            lb = lines[line_id]
            lb.pieces += pieces
            lb.output += output
            lb.earned_minutes += float(earned or 0)
    wip = supervise.wip_by_line()

    orders: list[OrderBoard] = []
    line_sam: dict[int, tuple[float, str]] = {}
    for (oid, number, customer, style, line_code, due, line_id, _style_id, qty, sam, out, packed,
         shipped) in db.session.execute(_ORDERS):
        due = due if isinstance(due, date) else date.fromisoformat(str(due))
        orders.append(OrderBoard(id=oid, number=number, customer=customer, style=style, line_code=line_code or "",
                                 due_date=due, quantity=int(qty or 0), output=int(out or 0),
                                 days_left=(due - day).days, packed=int(packed or 0), shipped=int(shipped or 0)))
        # The line's running style: the earliest-due open order on it.
        if line_id is not None and line_id not in line_sam and sam:
            line_sam[line_id] = (float(sam), style)

    # One span of hours for every line, so the charts side by side compare the same hours. Every line's calendar
    # (an operator's day may be on a retired line), read once for the lines and their operators' figures.
    cal = calendar.load(day, day)
    line_days = {lid: cal.line_day(lid, day) for lid in lines}
    worked_hours = [h for by_hour in hourly.values() for h, (pieces, _out, _earned) in by_hour.items() if pieces > 0]
    planned = working_day(day, worked_hours)   # a line without a calendar: the planned shift, widened
    chart = chart_day(day, line_days.values(), worked_hours)
    for lb in lines.values():
        ld = line_days[lb.id]
        lb.minutes_worked = float(ld.minutes_until(now_local.replace(tzinfo=None))) if ld.configured else planned.minutes_worked(now_local)
        lb.shifts = [(sh.number, sh.span.start, sh.span.end) for sh in ld.shifts] if ld.configured else []
    people = figures.operator_days(day, day, now_utc=now_utc, cal=cal,
                                   planned_today={lb.id: lb.minutes_worked for lb in lines.values()})
    by_line: dict[int | None, list[figures.OperatorDayFigures]] = {}
    for f in people:
        if f.pieces > 0 or f.time_in is not None:
            by_line.setdefault(f.line_id, []).append(f)
    for lb in lines.values():
        here = by_line.get(lb.id, [])
        lb.operators = len(here) or assigned.get(lb.id, 0)
        total = Efficiency.total(here)
        lb.attended_minutes = total.attended if here else lb.operators * lb.minutes_worked
        lb.off_standard_minutes = total.off_standard
        sam, lb.style = line_sam.get(lb.id, (0.0, ""))
        lb.target_per_hour = lb.operators * 60.0 / sam * lb.target_efficiency if sam else 0.0
        lb.wip_pieces = wip.get(lb.id, 0)
        data = hourly.get(lb.id, {})
        lb.hours = [HourBar(hour=h, output=int(data.get(h, (0, 0, 0))[1]), target=lb.target_per_hour,
                            current=(h == now_local.hour))
                    for h in chart.hours]
    return Board(day=day, now=now_local, lines=list(lines.values()), orders=orders, version=tag)
