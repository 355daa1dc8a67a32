"""Wall-board figures, read from the summary tables kept in the scan transaction (never GROUP BY the ledger)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import text

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.models.people import Role
from shopfloor.vocabulary import ORDERS_ON_FLOOR, OrderStatus, efficiency, output_seq_sql



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
    target_per_hour: float = 0.0
    wip_bundles: int = 0
    style: str = ""
    hours: list[HourBar] = field(default_factory=list)

    @property
    def efficiency(self) -> float | None:
        """Σ(pieces × SAM) / (operators × minutes worked) × 100 (vocabulary.efficiency)."""
        return efficiency(self.earned_minutes, self.operators * self.minutes_worked)

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


def shift_window(day: date) -> tuple[datetime, int]:
    """Local shift start and its length in minutes."""
    return clock.shift_start_local(day), int(current_app.config["SHIFT_MINUTES"])


def minutes_worked(now_local: datetime, day: date) -> float:
    start, length = shift_window(day)
    return max(0.0, min(float(length), (now_local.replace(tzinfo=None) - start).total_seconds() / 60.0))


def version() -> str:
    """Changes whenever the ledger changes (reversals are rows too), the day turns, or a minute passes."""
    top = db.session.execute(text("SELECT max(id) FROM work_log")).scalar() or 0
    qc = db.session.execute(text("SELECT max(id) FROM inspections")).scalar() or 0
    now = clock.to_local(clock.utcnow())
    return f"{now:%Y%m%d%H%M}-{top}-{qc}"


_LINES = text("SELECT id, code, name, target_efficiency FROM lines WHERE active ORDER BY code")
_HOURS = text("SELECT line_id, hour, pieces, output, earned_minutes FROM line_hour_output WHERE day = :day")
_PRESENT = text("SELECT line_id, count(*) FROM operator_day WHERE day = :day AND pieces > 0 GROUP BY line_id")
_ASSIGNED = text(f"SELECT line_id, count(*) FROM users WHERE role = '{Role.OPERATOR.value}' AND active "
                 "AND line_id IS NOT NULL "
                 "GROUP BY line_id")
_ORDERS = text("""
SELECT o.id, o.number, o.customer, s.code, l.code, o.due_date, o.line_id, o.style_id,
       (SELECT sum(q.quantity) FROM order_quantities q WHERE q.order_id = o.id),
       (SELECT sum(op.sam) FROM operations op WHERE op.style_id = o.style_id AND op.active),
       COALESCE((SELECT p.done FROM order_op_progress p JOIN operations op ON op.id = p.operation_id
                 WHERE p.order_id = o.id AND op.seq = """ + output_seq_sql("o.style_id") + """), 0)
FROM orders o JOIN styles s ON s.id = o.style_id LEFT JOIN lines l ON l.id = o.line_id
WHERE o.status IN """ + OrderStatus.sql(ORDERS_ON_FLOOR) + """
ORDER BY o.due_date, o.number
""")
_WIP = text("""
WITH active AS (
  SELECT o.id, o.line_id,
         (SELECT op.id FROM operations op WHERE op.style_id = o.style_id AND op.active
          ORDER BY op.seq DESC LIMIT 1) AS last_op
  FROM orders o WHERE o.status IN """ + OrderStatus.sql(ORDERS_ON_FLOOR) + """
)
SELECT a.line_id, count(*)
FROM active a
JOIN bundles b ON b.order_id = a.id
JOIN bundle_op_progress l ON l.bundle_id = b.id AND l.operation_id = a.last_op
-- started (any operation has pieces) and not finished at the last operation; a scalar
-- subquery per bundle keeps both planners on the primary-key index
WHERE l.done < l.pieces
  AND (SELECT max(p.done) FROM bundle_op_progress p WHERE p.bundle_id = b.id) > 0
GROUP BY a.line_id
""")


def board(now_utc: datetime | None = None) -> Board:
    now_utc = now_utc or clock.utcnow()
    now_local = clock.to_local(now_utc)
    day = now_local.date()
    worked = minutes_worked(now_local, day)
    shift_start, shift_len = shift_window(day)

    lines = {r[0]: LineBoard(id=r[0], code=r[1], name=r[2], target_efficiency=float(r[3]))
             for r in db.session.execute(_LINES)}
    hourly: dict[int, dict[int, tuple]] = {}
    for line_id, hour, pieces, output, earned in db.session.execute(_HOURS, {"day": day}):
        if line_id in lines:
            hourly.setdefault(line_id, {})[hour] = (pieces, output, earned)
            lb = lines[line_id]
            lb.pieces += pieces
            lb.output += output
            lb.earned_minutes += float(earned or 0)
    present = dict(db.session.execute(_PRESENT, {"day": day}).all())
    assigned = dict(db.session.execute(_ASSIGNED).all())
    wip = dict(db.session.execute(_WIP).all())

    orders: list[OrderBoard] = []
    line_sam: dict[int, tuple[float, str]] = {}
    for (oid, number, customer, style, line_code, due, line_id, _style_id, qty, sam, out) in db.session.execute(_ORDERS):
        due = due if isinstance(due, date) else date.fromisoformat(str(due))
        orders.append(OrderBoard(id=oid, number=number, customer=customer, style=style, line_code=line_code or "",
                                 due_date=due, quantity=int(qty or 0), output=int(out or 0),
                                 days_left=(due - day).days))
        # The line's running style: the earliest-due open order on it.
        if line_id is not None and line_id not in line_sam and sam:
            line_sam[line_id] = (float(sam), style)

    first_hour = shift_start.hour
    n_hours = max(1, (shift_len + 59) // 60)
    for lb in lines.values():
        lb.operators = present.get(lb.id) or assigned.get(lb.id, 0)
        lb.minutes_worked = worked
        sam, lb.style = line_sam.get(lb.id, (0.0, ""))
        lb.target_per_hour = lb.operators * 60.0 / sam * lb.target_efficiency if sam else 0.0
        lb.wip_bundles = wip.get(lb.id, 0)
        data = hourly.get(lb.id, {})
        lb.hours = [HourBar(hour=h, output=int(data.get(h, (0, 0, 0))[1]), target=lb.target_per_hour,
                            current=(h == now_local.hour))
                    for h in range(first_hour, first_hour + n_hours)]
    return Board(day=day, now=now_local, lines=list(lines.values()), orders=orders, version=version())
