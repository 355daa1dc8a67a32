"""Review figures: line efficiency by day, operator pay, bundle history, exports."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import selectinload

from shopfloor import clock, money
from shopfloor.extensions import db
from shopfloor import vocabulary
from shopfloor.errors import DomainError
from shopfloor.models import Bundle, Inspection, OperatorDay, Rework, WorkLog
from shopfloor.attendance import figures
from shopfloor.scan.queries import find_bundle
from shopfloor.spreadsheet import Number


def efficiency(earned_minutes: float, operators: int, minutes: float) -> float | None:
    """Σ(pieces × SAM) × 100 / (operators × minutes) (vocabulary.efficiency), for a plan or a forecast."""
    return vocabulary.efficiency(earned_minutes, operators * minutes)


@dataclass
class DayEfficiency:
    """A line's day: output, and the figures from its operators' earned, attended and off-standard minutes."""
    day: date
    line_id: int | None
    output: int
    earned: float
    operators: int
    figures: vocabulary.Efficiency

    @property
    def minutes(self) -> float:
        return self.figures.attended

    @property
    def efficiency(self) -> float | None:
        return self.figures.overall

    @property
    def on_standard(self) -> float | None:
        return self.figures.on_standard


def operator_days(start: date, end: date, line_id: int | None = None,
                  operator_id: int | None = None) -> list[figures.OperatorDayFigures]:
    """Every operator's day in the period, with the approved off-standard minutes (attendance/figures.py)."""
    return figures.operator_days(start, end, line_id=line_id, operator_id=operator_id)


def line_efficiency(start: date, end: date, line_id: int | None = None,
                    period: figures.Period | None = None) -> list[DayEfficiency]:
    """Per line and day: output from the line's hourly summary, figures from its operators' days."""
    params = {"start": start, "end": end, "line": line_id}
    period = figures.period(start, end, line_id) if period is None else period
    out = {}
    for line, day, output, earned in db.session.execute(text(
            "SELECT line_id, day, sum(output), sum(earned_minutes) FROM line_hour_output "
            "WHERE day BETWEEN :start AND :end AND (CAST(:line AS INTEGER) IS NULL OR line_id = :line) "
            "GROUP BY line_id, day ORDER BY day, line_id"), params):
        key = (line, clock.as_date(day))
        t = period.line_days.get(key) or figures.LineDayTotals()
        out[key] = DayEfficiency(key[1], line, int(output or 0), float(earned or 0), t.operators,
                                 vocabulary.Efficiency(float(earned or 0), t.attended, t.off_standard))
    for key, t in period.line_days.items():  # attended, nothing sewn on the line: the day still counts
        if key not in out and key[0] is not None:
            out[key] = DayEfficiency(key[1], key[0], 0, 0.0, t.operators,
                                     vocabulary.Efficiency(t.earned, t.attended, t.off_standard))
    return sorted(out.values(), key=lambda d: (d.day, d.line_id or 0))


def line_period(days: list[DayEfficiency]) -> dict[int | None, vocabulary.Efficiency]:
    """Each line's figures over the period: sums of minutes, not an average of percentages."""
    out: dict[int | None, vocabulary.Efficiency] = {}
    for d in days:
        out[d.line_id] = out.get(d.line_id, vocabulary.Efficiency()) + d.figures
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
    minutes: float           # attended minutes (attendance/figures.py)
    earnings_exact: Decimal  # Σ ledger pieces x piece rate, unrounded
    minimum_exact: Decimal   # the minimum wage for the minutes attended, unrounded
    off_standard: float = 0.0
    overtime: int = 0        # attended minutes inside approved overtime, outside every shift
    off_standard_rate: Decimal = money.ZERO   # per approved off-standard minute
    overtime_rate: Decimal = money.ZERO       # premium per overtime minute

    @property
    def figures(self) -> vocabulary.Efficiency:
        return vocabulary.Efficiency(float(self.earned), self.minutes, self.off_standard)

    @property
    def efficiency(self) -> float | None:
        return self.figures.overall

    @property
    def on_standard(self) -> float | None:
        return self.figures.on_standard

    @property
    def earnings(self) -> Decimal:
        """Piece-rate line of the payslip, rounded once to the cent."""
        return money.cents(self.earnings_exact)

    @property
    def minimum(self) -> Decimal:
        return money.cents(self.minimum_exact)

    @property
    def off_standard_pay(self) -> Decimal:
        """Approved off-standard minutes (stops the operator could not earn in) at their rate, rounded once."""
        return money.cents(Decimal(str(self.off_standard)) * self.off_standard_rate)

    @property
    def overtime_premium(self) -> Decimal:
        return money.cents(Decimal(int(self.overtime)) * self.overtime_rate)

    @property
    def top_up(self) -> Decimal:
        """Pay is topped up to the minimum wage for the hours attended (PRODUCT: pieces + off-standard +
        overtime premium, then the top-up)."""
        return max(money.ZERO, self.minimum - self.earnings - self.off_standard_pay - self.overtime_premium)

    @property
    def pay(self) -> Decimal:
        return self.earnings + self.off_standard_pay + self.overtime_premium + self.top_up


def minimum_wage(attended_minutes: int) -> Decimal:
    """The minimum wage for minutes attended, exact: MINIMUM_WAGE_PER_DAY is for a planned day of
    SHIFT_MINUTES, so a minute attended is worth MINIMUM_WAGE_PER_DAY / SHIFT_MINUTES."""
    return minimum_wage_rule()(attended_minutes)


def minimum_wage_rule():
    """minimum_wage as a function with the settings read once (the payslips ask it for every operator)."""
    cfg = current_app.config
    per_day, shift = money.decimal(cfg["MINIMUM_WAGE_PER_DAY"]), Decimal(int(cfg["SHIFT_MINUTES"]))
    return lambda attended_minutes: per_day * Decimal(int(attended_minutes)) / shift


def operator_pay(start: date, end: date, line_id: int | None = None,
                 period: figures.Period | None = None) -> list[OperatorPay]:
    """Payslips from the operators' days (attendance/figures.period: the operator-day summaries, kept in step
    with the ledger, and the minutes attended), exact until each line rounds. A slip is an operator's with
    work logged in the period or minutes attended (OperatorDayFigures.on_payslip); its line is the one of their
    latest day; the minimum wage is the one for all the minutes attended."""
    period = figures.period(start, end, line_id, line_days=False) if period is None else period
    cfg = current_app.config
    rates = dict(off_standard_rate=money.decimal(cfg["OFF_STANDARD_RATE_PER_MINUTE"]),
                 overtime_rate=money.decimal(cfg["WAGE_PER_MINUTE"]) * money.decimal(cfg["OVERTIME_PREMIUM"]))
    minimum = minimum_wage_rule()
    acc = {op: OperatorPay(op, "", "", "", t.days, t.pieces, t.earned_minutes, float(t.attended),
                           money.from_e4(t.earnings_e4), minimum(t.attended), off_standard=t.off_standard,
                           overtime=t.overtime, **rates)
           for op, t in period.operators.items()}
    if acc:
        codes = dict(db.session.execute(_LINE_CODES).all())
        for r in db.session.execute(_PEOPLE, {"ids": list(acc)}):
            p = acc[r.id]
            p.name, p.badge, p.line = r.name, r.badge, codes.get(period.operators[r.id].line_id, "")
    return sorted(acc.values(), key=lambda p: p.name)


_PEOPLE = text("SELECT u.id, u.name, coalesce(u.badge_code, '') AS badge FROM users u WHERE u.id IN :ids"
               ).bindparams(bindparam("ids", expanding=True))
_LINE_CODES = text("SELECT id, code FROM lines")


def payslip_rows(start: date, end: date, line_id: int | None = None):
    """The payslips of the period as CSV rows (review/routes.PAYSLIP_COLUMNS), each money cell rounded once, in
    the factory's currency (SHOPFLOOR_CURRENCY, named on each row for the payroll system that reads them)."""
    currency = current_app.config["CURRENCY"]
    for p in operator_pay(start, end, line_id):
        yield [p.name, p.badge, p.line, p.days, p.pieces, Number(money.plain(p.earned)), round(p.minutes),
               round(p.off_standard), p.overtime, p.earnings, p.off_standard_pay, p.overtime_premium, p.minimum,
               p.top_up, p.pay, currency]


def bundle_history(ref: str) -> tuple[Bundle | None, list[WorkLog], list]:
    """A bundle's whole story, by the same reference a scan takes (typed code, signed QR or /b/ link)."""
    try:
        bundle = find_bundle(ref)
    except DomainError:
        return None, [], [[], []]
    # The page names each entry's operation, operator and corrector: loaded with the rows (a query per
    # relation), not one by one as the template reaches them (hundreds of entries in a bundle's life).
    log = db.session.scalars(select(WorkLog).where(WorkLog.bundle_id == bundle.id).order_by(WorkLog.id).options(
        selectinload(WorkLog.operation), selectinload(WorkLog.operator), selectinload(WorkLog.created_by))).all()
    qc = db.session.scalars(select(Inspection).where(Inspection.bundle_id == bundle.id)
                            .order_by(Inspection.created_at).options(selectinload(Inspection.inspector))).all()
    rework = db.session.scalars(select(Rework).where(Rework.bundle_id == bundle.id)
                                .options(selectinload(Rework.operator))).all()
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


def _worklog_csv_row(r, currency: str) -> list:
    """entry, time, operator, badge, line, order, bundle, operation, pieces, sam, earned_minutes, piece_rate,
    amount, reversal_of, reason, entered_by, currency: minutes and rates exact, the amount at the cent
    (shopfloor.money), rate and amount in the factory's currency (SHOPFLOOR_CURRENCY), named on each row."""
    sam, rate = money.decimal(r["sam"]), money.from_e4(r["piece_rate_e4"])
    return [r["id"], _local_time(r["created_at"]), r["operator"], r["badge"], r["line"], r["order_number"],
            r["bundle"], r["operation"], r["pieces"], Number(money.plain(sam)), Number(money.plain(sam * r["pieces"])),
            Number(money.plain(rate)), money.cents(rate * r["pieces"]), r["reverses_id"], r["reason"],
            r["entered_by"], currency]


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
        currency = current_app.config["CURRENCY"]
        for r in db.session.execute(text(WORKLOG_CSV), params).mappings().yield_per(1000):
            yield _worklog_csv_row(r, currency)
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
