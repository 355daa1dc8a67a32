"""Review figures: line efficiency by day, operator pay, bundle history, exports."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, text

from shopfloor import clock, money
from shopfloor.extensions import db
from shopfloor import vocabulary
from shopfloor.errors import DomainError
from shopfloor.models import Bundle, Inspection, OperatorDay, Rework, WorkLog
from shopfloor.board.hours import planned_shift
from shopfloor.scan.queries import find_bundle
from shopfloor.spreadsheet import Number


def efficiency(earned_minutes: float, operators: int, minutes: float) -> float | None:
    """Σ(pieces × SAM) / (operators × minutes worked) × 100 (vocabulary.efficiency)."""
    return vocabulary.efficiency(earned_minutes, operators * minutes)


def shift_minutes_on(day: date) -> float:
    """Minutes worked on a day: the whole planned shift, or the part of today's planned shift so far."""
    if day == clock.local_today():
        return planned_shift(day).minutes_worked(clock.to_local(clock.utcnow()))
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
    """One operator's payslip for a period (the rounding rule: shopfloor.money)."""
    id: int
    name: str
    badge: str
    line: str
    days: int
    pieces: int
    earned: Decimal          # earned minutes (for efficiency, not pay)
    minutes: float
    earnings_exact: Decimal  # Σ ledger pieces x piece rate, unrounded
    minimum_exact: Decimal   # the minimum wage for the days worked

    @property
    def efficiency(self) -> float:
        return efficiency(float(self.earned), 1, self.minutes)

    @property
    def earnings(self) -> Decimal:
        """Piece-rate line of the payslip, rounded once to the cent."""
        return money.cents(self.earnings_exact)

    @property
    def minimum(self) -> Decimal:
        return money.cents(self.minimum_exact)

    @property
    def top_up(self) -> Decimal:
        """Piece-rate pay is topped up to the minimum wage for the days worked."""
        return max(money.ZERO, self.minimum - self.earnings)

    @property
    def pay(self) -> Decimal:
        return self.earnings + self.top_up


_PAY = text("""
SELECT u.id, u.name, coalesce(u.badge_code, '') AS badge, coalesce(l.code, '') AS line, d.day, d.pieces,
       d.earned_minutes, d.earnings_e4
FROM operator_day d JOIN users u ON u.id = d.operator_id LEFT JOIN lines l ON l.id = d.line_id
WHERE d.day BETWEEN :start AND :end AND (CAST(:line AS INTEGER) IS NULL OR d.line_id = :line)
ORDER BY u.name""")


def operator_pay(start: date, end: date, line_id: int | None = None) -> list[OperatorPay]:
    """Payslips from the operator-day summaries (kept in step with the ledger), exact until each line rounds."""
    min_day = money.decimal(current_app.config["MINIMUM_WAGE_PER_DAY"])
    acc: dict[int, OperatorPay] = {}
    for r in db.session.execute(_PAY, {"start": start, "end": end, "line": line_id}).mappings():
        p = acc.setdefault(r["id"], OperatorPay(r["id"], r["name"], r["badge"], r["line"], 0, 0, money.ZERO, 0.0,
                                                money.ZERO, money.ZERO))
        if r["pieces"] > 0:
            p.days += 1
            p.minutes += shift_minutes_on(_d(r["day"]))
            p.minimum_exact += min_day
        p.pieces += int(r["pieces"])
        p.earned += money.decimal(r["earned_minutes"] or 0)
        p.earnings_exact += money.from_e4(r["earnings_e4"])
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
SELECT w.id, w.created_at, u.name AS operator, coalesce(u.badge_code, '') AS badge, coalesce(l.code, '') AS line,
       o.number AS order_number, b.code AS bundle, op.name AS operation, w.pieces, w.sam, w.piece_rate_e4,
       w.reverses_id, coalesce(w.reason, '') AS reason, coalesce(cb.name, '') AS entered_by
FROM work_log w JOIN users u ON u.id = w.operator_id JOIN bundles b ON b.id = w.bundle_id
JOIN orders o ON o.id = b.order_id JOIN operations op ON op.id = w.operation_id
LEFT JOIN lines l ON l.id = w.line_id LEFT JOIN users cb ON cb.id = w.created_by_id
WHERE w.created_at >= :start AND w.created_at < :end AND (CAST(:line AS INTEGER) IS NULL OR w.line_id = :line)
ORDER BY w.id
"""


def _worklog_csv_row(r) -> list:
    """entry, time, operator, badge, line, order, bundle, operation, pieces, sam, earned_minutes, piece_rate,
    amount, reversal_of, reason, entered_by: minutes and rates exact, the amount at the cent (shopfloor.money)."""
    sam, rate = money.decimal(r["sam"]), money.from_e4(r["piece_rate_e4"])
    return [r["id"], _local_time(r["created_at"]), r["operator"], r["badge"], r["line"], r["order_number"],
            r["bundle"], r["operation"], r["pieces"], Number(money.plain(sam)), Number(money.plain(sam * r["pieces"])),
            Number(money.plain(rate)), money.cents(rate * r["pieces"]), r["reverses_id"], r["reason"],
            r["entered_by"]]


QC_CSV = """
SELECT i.id, i.created_at, i.kind, b.code, o.number, coalesce(l.code, ''), u.name, i.checked, i.defective,
       i.defects, i.result, coalesce(i.light, '')
FROM inspections i JOIN bundles b ON b.id = i.bundle_id JOIN orders o ON o.id = b.order_id
JOIN users u ON u.id = i.inspector_id LEFT JOIN lines l ON l.id = i.line_id
WHERE i.created_at >= :start AND i.created_at < :end AND (CAST(:line AS INTEGER) IS NULL OR i.line_id = :line)
ORDER BY i.id
"""


def _local_time(value) -> str:
    ts = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return clock.to_local(ts).strftime("%Y-%m-%d %H:%M:%S")


def export_rows(kind: str, start: date, end: date, line_id: int | None):
    s, _ = clock.local_day_bounds_utc(start)
    _, e = clock.local_day_bounds_utc(end)
    params = {"start": s, "end": e, "line": line_id}
    if kind == "worklog":
        for r in db.session.execute(text(WORKLOG_CSV), params).mappings().yield_per(1000):
            yield _worklog_csv_row(r)
        return
    for row in db.session.execute(text(QC_CSV), params).yield_per(1000):
        yield [row.id, _local_time(row.created_at), *row[2:]]


def operator_day(operator_id: int, day: date) -> tuple[OperatorDay | None, list[WorkLog]]:
    """An operator's summary and ledger entries for one local day (the operator's own page)."""
    start, end = clock.local_day_bounds_utc(day)
    entries = db.session.scalars(select(WorkLog).where(WorkLog.operator_id == operator_id,
                                                       WorkLog.created_at >= start, WorkLog.created_at < end)
                                 .order_by(WorkLog.id.desc())).all()
    return db.session.get(OperatorDay, (operator_id, day)), list(entries)
