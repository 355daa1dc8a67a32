"""Review figures: line efficiency by day, operator pay, bundle history, exports."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, text

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor import vocabulary
from shopfloor.errors import DomainError
from shopfloor.models import Bundle, Inspection, OperatorDay, Rework, WorkLog
from shopfloor.board.queries import minutes_worked
from shopfloor.scan.queries import find_bundle


def efficiency(earned_minutes: float, operators: int, minutes: float) -> float | None:
    """Σ(pieces × SAM) / (operators × minutes worked) × 100 (vocabulary.efficiency)."""
    return vocabulary.efficiency(earned_minutes, operators * minutes)


def shift_minutes_on(day: date) -> float:
    """Minutes worked on a day: the whole shift, or the part of today's shift so far."""
    if day == clock.local_today():
        return minutes_worked(clock.to_local(clock.utcnow()), day)
    return float(current_app.config["SHIFT_MINUTES"])


@dataclass
class DayEfficiency:
    day: date
    line_id: int
    output: int
    earned: float
    operators: int
    minutes: float

    @property
    def efficiency(self) -> float:
        return efficiency(self.earned, self.operators, self.minutes)


def _d(v) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def line_efficiency(start: date, end: date, line_id: int | None = None) -> list[DayEfficiency]:
    params = {"start": start, "end": end, "line": line_id}
    ops = {(r[0], _d(r[1])): int(r[2]) for r in db.session.execute(text(
        "SELECT line_id, day, count(*) FROM operator_day WHERE day BETWEEN :start AND :end AND pieces > 0 "
        "GROUP BY line_id, day"), params)}
    out = []
    for line, day, output, earned in db.session.execute(text(
            "SELECT line_id, day, sum(output), sum(earned_minutes) FROM line_hour_output "
            "WHERE day BETWEEN :start AND :end AND (CAST(:line AS INTEGER) IS NULL OR line_id = :line) "
            "GROUP BY line_id, day ORDER BY day, line_id"), params):
        day = _d(day)
        out.append(DayEfficiency(day, line, int(output or 0), float(earned or 0), ops.get((line, day), 0),
                                 shift_minutes_on(day)))
    return out


@dataclass
class OperatorPay:
    id: int
    name: str
    badge: str
    line: str
    days: int
    pieces: int
    earned: float
    minutes: float
    earnings: Decimal
    minimum: Decimal

    @property
    def efficiency(self) -> float:
        return efficiency(self.earned, 1, self.minutes)

    @property
    def top_up(self) -> Decimal:
        """Piece-rate pay is topped up to the minimum wage for the days worked."""
        return max(Decimal("0"), self.minimum - self.earnings)

    @property
    def pay(self) -> Decimal:
        return self.earnings + self.top_up


def operator_pay(start: date, end: date, line_id: int | None = None) -> list[OperatorPay]:
    min_day = Decimal(str(current_app.config["MINIMUM_WAGE_PER_DAY"]))
    rows = db.session.execute(text("""
        SELECT u.id, u.name, coalesce(u.badge_code, ''), coalesce(l.code, ''), d.day, d.pieces, d.earned_minutes,
               d.earnings
        FROM operator_day d JOIN users u ON u.id = d.operator_id LEFT JOIN lines l ON l.id = d.line_id
        WHERE d.day BETWEEN :start AND :end AND (CAST(:line AS INTEGER) IS NULL OR d.line_id = :line)
        ORDER BY u.name"""), {"start": start, "end": end, "line": line_id}).all()
    acc: dict[int, OperatorPay] = {}
    for uid, name, badge, line, day, pieces, earned, earnings in rows:
        p = acc.setdefault(uid, OperatorPay(uid, name, badge, line, 0, 0, 0.0, 0.0, Decimal("0"), Decimal("0")))
        if pieces > 0:
            p.days += 1
            p.minutes += shift_minutes_on(_d(day))
            p.minimum += min_day
        p.pieces += int(pieces)
        p.earned += float(earned or 0)
        p.earnings += Decimal(str(earnings or 0))
    return sorted(acc.values(), key=lambda p: p.name)


def bundle_history(ref: str) -> tuple[Bundle | None, list[WorkLog], list]:
    """A bundle's whole story, by the same reference a scan takes (typed code, signed QR or /b/ link)."""
    try:
        bundle = find_bundle(ref)
    except DomainError:
        return None, [], [[], []]
    log = db.session.scalars(select(WorkLog).where(WorkLog.bundle_id == bundle.id).order_by(WorkLog.id)).all()
    qc = db.session.scalars(select(Inspection).where(Inspection.bundle_id == bundle.id)
                            .order_by(Inspection.created_at)).all()
    rework = db.session.scalars(select(Rework).where(Rework.bundle_id == bundle.id)).all()
    return bundle, log, [qc, rework]


WORKLOG_CSV = """
SELECT w.id, w.created_at, u.name, coalesce(u.badge_code, ''), coalesce(l.code, ''), o.number, b.code, op.name,
       w.pieces, w.sam, w.pieces * w.sam, w.piece_rate, w.pieces * w.piece_rate, w.reverses_id,
       coalesce(w.reason, ''), coalesce(cb.name, '')
FROM work_log w JOIN users u ON u.id = w.operator_id JOIN bundles b ON b.id = w.bundle_id
JOIN orders o ON o.id = b.order_id JOIN operations op ON op.id = w.operation_id
LEFT JOIN lines l ON l.id = w.line_id LEFT JOIN users cb ON cb.id = w.created_by_id
WHERE w.created_at >= :start AND w.created_at < :end AND (CAST(:line AS INTEGER) IS NULL OR w.line_id = :line)
ORDER BY w.id
"""
QC_CSV = """
SELECT i.id, i.created_at, i.kind, b.code, o.number, coalesce(l.code, ''), u.name, i.checked, i.defective,
       i.defects, i.result, coalesce(i.light, '')
FROM inspections i JOIN bundles b ON b.id = i.bundle_id JOIN orders o ON o.id = b.order_id
JOIN users u ON u.id = i.inspector_id LEFT JOIN lines l ON l.id = i.line_id
WHERE i.created_at >= :start AND i.created_at < :end AND (CAST(:line AS INTEGER) IS NULL OR i.line_id = :line)
ORDER BY i.id
"""


def export_rows(kind: str, start: date, end: date, line_id: int | None):
    s, _ = clock.local_day_bounds_utc(start)
    _, e = clock.local_day_bounds_utc(end)
    sql = WORKLOG_CSV if kind == "worklog" else QC_CSV
    for row in db.session.execute(text(sql), {"start": s, "end": e, "line": line_id}).yield_per(1000):
        row = list(row)
        ts = row[1] if isinstance(row[1], datetime) else datetime.fromisoformat(str(row[1]))
        row[1] = clock.to_local(ts).strftime("%Y-%m-%d %H:%M:%S")
        yield row


def operator_day(operator_id: int, day: date) -> tuple[OperatorDay | None, list[WorkLog]]:
    """An operator's summary and ledger entries for one local day (the operator's own page)."""
    start, end = clock.local_day_bounds_utc(day)
    entries = db.session.scalars(select(WorkLog).where(WorkLog.operator_id == operator_id,
                                                       WorkLog.created_at >= start, WorkLog.created_at < end)
                                 .order_by(WorkLog.id.desc())).all()
    return db.session.get(OperatorDay, (operator_id, day)), list(entries)
