"""Quality figures from the inspection ledger: DHU, % defective, right-first-time, Pareto."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.vocabulary import REWORK_PENDING, ReworkStatus


@dataclass
class QualityRow:
    key: object
    label: str
    checked: int
    defective: int
    defects: int

    @property
    def dhu(self) -> float:
        """Defects per hundred units = defects x 100 / pieces checked."""
        return self.defects * 100.0 / self.checked if self.checked else 0.0

    @property
    def pct_defective(self) -> float:
        return self.defective * 100.0 / self.checked if self.checked else 0.0

    @property
    def rft(self) -> float:
        """Right first time: pieces good at the first check / pieces checked, in %."""
        return (self.checked - self.defective) * 100.0 / self.checked if self.checked else 0.0


def dhu(defects: int, checked: int) -> float:
    return defects * 100.0 / checked if checked else 0.0


_FIRST_PASS = "i.kind IN ('inline', 'endline') AND i.created_at >= :start AND i.created_at < :end"

_BY = {
    "line": f"""SELECT i.line_id, coalesce(l.name, '-'), sum(i.checked), sum(i.defective), sum(i.defects)
                FROM inspections i LEFT JOIN lines l ON l.id = i.line_id
                WHERE {_FIRST_PASS} AND (CAST(:line AS INTEGER) IS NULL OR i.line_id = :line)
                GROUP BY i.line_id, l.name ORDER BY l.name""",
    "operation": f"""SELECT op.id, op.name, sum(i.checked), 0,
                       coalesce((SELECT sum(d.count) FROM inspection_defects d JOIN inspections j ON j.id = d.inspection_id
                                 WHERE d.operation_id = op.id AND j.kind IN ('inline', 'endline')
                                   AND j.created_at >= :start AND j.created_at < :end
                                   AND (CAST(:line AS INTEGER) IS NULL OR j.line_id = :line)), 0)
                FROM inspections i JOIN bundles b ON b.id = i.bundle_id JOIN orders o ON o.id = b.order_id
                JOIN operations op ON op.style_id = o.style_id
                WHERE {_FIRST_PASS} AND (CAST(:line AS INTEGER) IS NULL OR i.line_id = :line)
                GROUP BY op.id, op.name, op.seq ORDER BY op.name""",
    "operator": f"""SELECT u.id, u.name, sum(i.checked), 0,
                      coalesce((SELECT sum(d.count) FROM inspection_defects d JOIN inspections j ON j.id = d.inspection_id
                                WHERE d.operator_id = u.id AND j.kind IN ('inline', 'endline')
                                  AND j.created_at >= :start AND j.created_at < :end
                                  AND (CAST(:line AS INTEGER) IS NULL OR j.line_id = :line)), 0)
                FROM inspections i
                JOIN (SELECT DISTINCT bundle_id, operator_id FROM work_log) bo ON bo.bundle_id = i.bundle_id
                JOIN users u ON u.id = bo.operator_id
                WHERE {_FIRST_PASS} AND (CAST(:line AS INTEGER) IS NULL OR i.line_id = :line)
                GROUP BY u.id, u.name ORDER BY u.name""",
}


def breakdown(by: str, start: datetime, end: datetime, line_id: int | None = None) -> list[QualityRow]:
    """Quality per line, operation or operator over [start, end) (naive UTC)."""
    rows = db.session.execute(text(_BY[by]), {"start": start, "end": end, "line": line_id}).all()
    return [QualityRow(key=r[0], label=r[1], checked=int(r[2] or 0), defective=int(r[3] or 0),
                       defects=int(r[4] or 0)) for r in rows]


def _bucketed(start: datetime, end: datetime, line_id: int | None, key) -> dict:
    """First-pass inspections in [start, end) summed per key(line label, local day, local hour)."""
    rows = db.session.execute(text(f"""
        SELECT coalesce(l.name, '-'), i.created_at, i.checked, i.defective, i.defects
        FROM inspections i LEFT JOIN lines l ON l.id = i.line_id
        WHERE {_FIRST_PASS} AND (CAST(:line AS INTEGER) IS NULL OR i.line_id = :line)"""),
        {"start": start, "end": end, "line": line_id}).all()
    out: dict = {}
    for line, created, checked, defective, defects in rows:
        created = datetime.fromisoformat(created) if isinstance(created, str) else created
        k = key(line, *clock.local_bucket(created))
        row = out.setdefault(k, QualityRow(k, str(k), 0, 0, 0))
        row.checked += checked
        row.defective += defective
        row.defects += defects
    return out


def by_hour(day: date, line_id: int | None = None) -> list[QualityRow]:
    start, end = clock.local_day_bounds_utc(day)
    hours = _bucketed(start, end, line_id, lambda _line, _day, hour: hour)
    for h, row in hours.items():
        row.label = f"{h:02d}:00"
    return [hours[h] for h in sorted(hours)]


def dhu_by_line_day(first: date, last: date, line_id: int | None = None) -> dict[str, list[tuple[str, float]]]:
    """DHU per line and factory-local day, for the review trend (lines_by_day)."""
    return lines_by_day(first, last, line_id)[1]


def lines_by_day(first: date, last: date, line_id: int | None = None
                 ) -> tuple[list[QualityRow], dict[str, list[tuple[str, float]]]]:
    """The review's quality by line over the local days first..last: each line's period (as breakdown("line")
    over the days' UTC span) and its DHU by day (the trend). One query sums the checks by line and day, each put in
    its day by the days' UTC ends (a month of a large factory is tens of thousands of checks; the database sums
    them); the lines' periods are those sums added up."""
    days = clock.days(first, last)
    ends = [clock.local_day_bounds_utc(d)[1] for d in days]
    day_of = _day_of(0, len(days) - 1)
    params: dict = {"start": clock.local_day_bounds_utc(first)[0], "end": ends[-1], "line": line_id}
    params.update({f"e{n}": e for n, e in enumerate(ends)})
    # No ORDER BY: it would sort every check before summing (twice the time on PostgreSQL); ordered here.
    rows = db.session.execute(text(f"""
        SELECT i.line_id, l.name, {day_of}, sum(i.checked), sum(i.defective), sum(i.defects)
        FROM inspections i LEFT JOIN lines l ON l.id = i.line_id
        WHERE {_FIRST_PASS} AND (CAST(:line AS INTEGER) IS NULL OR i.line_id = :line)
        GROUP BY i.line_id, l.name, 3"""), params).all()
    totals: dict[object, QualityRow] = {}
    series: dict[str, list[tuple[str, float]]] = {}
    days_of: dict[tuple[str, int], QualityRow] = {}
    for lid, name, n, checked, defective, defects in rows:
        checked, defective, defects = int(checked or 0), int(defective or 0), int(defects or 0)
        label = name or "-"
        total = totals.setdefault(lid, QualityRow(lid, label, 0, 0, 0))
        total.checked, total.defective, total.defects = (total.checked + checked, total.defective + defective,
                                                         total.defects + defects)
        row = days_of.setdefault((label, n), QualityRow((label, n), label, 0, 0, 0))
        row.checked, row.defective, row.defects = row.checked + checked, row.defective + defective, row.defects + defects
    for (label, n), row in sorted(days_of.items()):
        series.setdefault(label, []).append((days[n].isoformat(), row.dhu))
    by_name = sorted(totals.values(), key=lambda r: (r.key is None, r.label))
    return by_name, series


def _day_of(lo: int, hi: int) -> str:
    """SQL for the number of a check's day among days lo..hi, by the days' UTC ends :e<n> (a DST change makes a
    day 23 or 25 hours): a balanced tree of comparisons, five for a month rather than one per day."""
    if lo == hi:
        return str(lo)
    mid = (lo + hi) // 2
    return f"(CASE WHEN i.created_at < :e{mid} THEN {_day_of(lo, mid)} ELSE {_day_of(mid + 1, hi)} END)"


@dataclass
class ParetoRow:
    name: str
    severity: str
    count: int
    cumulative_pct: float


def pareto(start: datetime, end: datetime, line_id: int | None = None) -> list[ParetoRow]:
    rows = db.session.execute(text("""
        SELECT t.name, t.severity, sum(d.count) AS n FROM inspection_defects d
        JOIN inspections i ON i.id = d.inspection_id JOIN defect_types t ON t.id = d.defect_type_id
        WHERE i.kind IN ('inline', 'endline') AND i.created_at >= :start AND i.created_at < :end
          AND (CAST(:line AS INTEGER) IS NULL OR i.line_id = :line)
        GROUP BY t.name, t.severity ORDER BY n DESC, t.name"""), {"start": start, "end": end, "line": line_id}).all()
    total = sum(r[2] for r in rows) or 1
    out, running = [], 0
    for name, severity, n in rows:
        running += n
        out.append(ParetoRow(name, severity, int(n), running * 100.0 / total))
    return out


@dataclass
class LineQuality:
    dhu: float
    checked: int
    red_lights: int
    open_rework: int


def line_quality_today(now: datetime | None = None) -> dict[int, LineQuality]:
    """For the wall board: today's DHU, red traffic lights and open rework pieces per line."""
    day = clock.to_local(now or clock.utcnow()).date()
    start, end = clock.local_day_bounds_utc(day)
    out: dict[int, LineQuality] = {}
    for line_id, checked, defects, reds in db.session.execute(text(f"""
            SELECT i.line_id, sum(i.checked), sum(i.defects),
                   sum(CASE WHEN i.light = 'red' THEN 1 ELSE 0 END)
            FROM inspections i WHERE {_FIRST_PASS} AND i.line_id IS NOT NULL GROUP BY i.line_id"""),
            {"start": start, "end": end}):
        out[line_id] = LineQuality(dhu(int(defects or 0), int(checked or 0)), int(checked or 0), int(reds or 0), 0)
    for line_id, pieces in db.session.execute(text(f"""
            SELECT o.line_id, sum(r.pieces) FROM rework r JOIN orders o ON o.id = r.order_id
            WHERE r.status IN {ReworkStatus.sql(REWORK_PENDING)} AND o.line_id IS NOT NULL GROUP BY o.line_id""")):
        out.setdefault(line_id, LineQuality(0.0, 0, 0, 0)).open_rework = int(pieces or 0)
    return out
