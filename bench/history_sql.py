"""The set-based half of bench/history_gen.py: helper tables that describe the plan (which bundles each line
sews on each working day, who sits at which operation) and the statements that turn one day of that plan into
ledger rows, their summaries, attendance and quality checks, written the way the scan would have written them.

Every statement runs on PostgreSQL and SQLite; the few differences (time arithmetic, a random client id, the
hour of a timestamp) are the methods of `Dialect`. The factory clock is UTC (history_gen refuses another).
The ledger is written a day per statement (ids in time order, as the floor writes them); the summaries,
attendance and checks are then derived from it in one statement each, their rows in day order: the floor writes a
day's rows that day, so they lie together on disk (operator-major order put each of today's 1,000 attendance rows
on a page of its own, and the board's read of them took three times as long).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Integer, MetaData, Numeric, Table, text

meta = MetaData()
# The plan, dropped when the history is written (names start hist_ and belong to no model).
DAYS = Table("hist_days", meta, Column("di", Integer, primary_key=True), Column("day", Date),
             Column("start_utc", DateTime))   # the shift's start (08:00) of each working day
LINES = Table("hist_lines", meta, Column("line_id", Integer, primary_key=True), Column("s", Integer),
              Column("lag", Integer))         # operators, bundles between the first and last operation
SEQ = Table("hist_seq", meta, Column("line_id", Integer, primary_key=True), Column("seq", Integer, primary_key=True),
            Column("bundle_id", Integer, unique=True), Column("order_id", Integer), Column("style_id", Integer),
            Column("pieces", Integer), Column("chunk", Integer))   # chunk: pieces per tap on this bundle
OPS = Table("hist_ops", meta, Column("style_id", Integer, primary_key=True), Column("k", Integer, primary_key=True),
            Column("operation_id", Integer), Column("nk", Integer), Column("sam", Numeric(8, 3)),
            Column("rate_e4", BigInteger), Column("is_output", Boolean))
SLOTS = Table("hist_slots", meta, Column("line_id", Integer, primary_key=True),
              Column("slot", Integer, primary_key=True), Column("operator_id", Integer))
PLAN = Table("hist_plan", meta, Column("di", Integer, primary_key=True), Column("line_id", Integer, primary_key=True),
             Column("first_seq", Integer), Column("last_seq", Integer))   # the first operation's bundles that day
NUMS = Table("hist_nums", meta, Column("n", Integer, primary_key=True))
DEFECTS = Table("hist_defects", meta, Column("n", Integer, primary_key=True), Column("defect_type_id", Integer))


class Dialect:
    def __init__(self, name: str):
        self.pg = name == "postgresql"

    def at(self, base: str, minutes: str) -> str:
        """base timestamp + minutes (an SQL expression, may be fractional or negative)."""
        if self.pg:
            return f"({base} + ({minutes}) * interval '1 minute')"
        return f"datetime({base}, printf('%+d seconds', CAST(round(({minutes}) * 60) AS INTEGER)))"

    @property
    def client_id(self) -> str:
        """A phone's random id per scan (the outbox's exactly-once key)."""
        return "gen_random_uuid()::text" if self.pg else "lower(hex(randomblob(16)))"

    def hour(self, col: str) -> str:
        return f"CAST(extract(hour FROM {col}) AS INTEGER)" if self.pg else f"CAST(strftime('%H', {col}) AS INTEGER)"

    def day(self, col: str) -> str:
        return f"CAST({col} AS DATE)" if self.pg else f"date({col})"


def work_log(d: Dialect):
    """One working day of every line: operation k of a bundle is sewn on the day the line's first operation
    reached it `k * lag / K` bundles earlier (so a bundle crosses the line in about a day), in taps of
    `chunk` pieces, by the operators sitting at k (slot k, k + K, ... when a line has more operators than
    operations; slot k mod S when fewer). Each bundle-operation is done once, whole: never more than it holds."""
    lag = "(o.k * ln.lag) / o.nk"
    minute = (f"CAST(5 AS DOUBLE PRECISION) + ((s.seq - (p.first_seq - {lag})) + (n.n * s.chunk + 0.5) / s.pieces) "
              f"* 495.0 / (p.last_seq - p.first_seq + 1) + o.k * 0.05")
    return text(f"""
INSERT INTO work_log (bundle_id, operation_id, operator_id, line_id, pieces, sam, piece_rate_e4, is_output,
                      client_id, created_at)
SELECT bundle_id, operation_id, operator_id, line_id, pieces, sam, rate_e4, is_output, {d.client_id},
       {d.at('start_utc', 'minute')}
FROM (
  SELECT s.bundle_id, o.operation_id, sl.operator_id, p.line_id, o.sam, o.rate_e4, o.is_output, dd.start_utc,
         CASE WHEN (n.n + 1) * s.chunk > s.pieces THEN s.pieces - n.n * s.chunk ELSE s.chunk END AS pieces,
         {minute} AS minute
  FROM hist_plan p
  JOIN hist_days dd ON dd.di = p.di
  JOIN hist_lines ln ON ln.line_id = p.line_id
  JOIN hist_seq s ON s.line_id = p.line_id AND s.seq BETWEEN p.first_seq - ln.lag AND p.last_seq
  JOIN hist_ops o ON o.style_id = s.style_id
  JOIN hist_nums n ON n.n < (s.pieces + s.chunk - 1) / s.chunk
  JOIN hist_slots sl ON sl.line_id = p.line_id AND sl.slot = {_slot('n.n')}
  WHERE p.di = :di AND s.seq >= 0
    AND s.seq BETWEEN p.first_seq - {lag} AND p.last_seq - {lag}
) x ORDER BY minute""")


def _slot(chunk: str) -> str:
    """The slot (operator) sewing tap `chunk` of bundle s at operation o on line ln."""
    return (f"CASE WHEN ln.s >= o.nk THEN o.k + o.nk * (({chunk} + s.seq) % ((ln.s - 1 - o.k) / o.nk + 1)) "
            f"ELSE o.k % ln.s END")


def summaries(d: Dialect) -> list:
    """The summaries the scan keeps (scan/statements.Upsert), from the whole ledger."""
    h, day = d.hour("created_at"), d.day("created_at")
    return [
        text(f"""INSERT INTO line_hour_output (line_id, day, hour, pieces, output, earned_minutes)
            SELECT line_id, {day}, {h}, sum(pieces), sum(CASE WHEN is_output THEN pieces ELSE 0 END), sum(pieces * sam)
            FROM work_log GROUP BY line_id, {day}, {h} ORDER BY 2, 1, 3"""),
        text(f"""INSERT INTO operator_day (operator_id, day, line_id, pieces, earned_minutes, earnings_e4)
            SELECT operator_id, {day}, max(line_id), sum(pieces), sum(pieces * sam), sum(pieces * piece_rate_e4)
            FROM work_log GROUP BY operator_id, {day} ORDER BY 2, 1"""),
        text("""INSERT INTO order_op_progress (order_id, operation_id, done, earned_minutes, labour_e4)
            SELECT s.order_id, w.operation_id, sum(w.pieces), sum(w.pieces * w.sam), sum(w.pieces * w.piece_rate_e4)
            FROM work_log w JOIN hist_seq s ON s.bundle_id = w.bundle_id GROUP BY s.order_id, w.operation_id"""),
        text("DELETE FROM bundle_op_progress"),
        text("""INSERT INTO bundle_op_progress (bundle_id, operation_id, pieces, done)
            SELECT s.bundle_id, o.operation_id, s.pieces, coalesce(x.q, 0)
            FROM hist_seq s JOIN hist_ops o ON o.style_id = s.style_id
            LEFT JOIN (SELECT bundle_id, operation_id, sum(pieces) AS q FROM work_log
                       GROUP BY bundle_id, operation_id) x ON x.bundle_id = s.bundle_id AND x.operation_id = o.operation_id"""),
    ]


def attendance(d: Dialect):
    """Everyone clocks in 2-13 minutes before 08:00 (4 % some 25 minutes late) and out just after 16:30."""
    late = "CASE WHEN (sl.operator_id * 31 + dd.di * 17) % 100 < 4 THEN 25 ELSE 0 END"
    return text(f"""
INSERT INTO attendance (operator_id, day, clock_in, clock_out)
SELECT sl.operator_id, dd.day, {d.at('dd.start_utc', f'-2 - (sl.operator_id * 7 + dd.di * 13) % 12 + {late}')},
       {d.at('dd.start_utc', '511 + (sl.operator_id * 11 + dd.di * 7) % 12')}
FROM hist_slots sl CROSS JOIN hist_days dd ORDER BY dd.day, sl.operator_id""")


def inspections(d: Dialect) -> list:
    """End-line: every bundle once it left the output operation (6 % with 1-2 defective pieces). Inline:
    7 pieces of every operator's operation once a day (9 % one defect, yellow; 3 % two, red). Defects are
    traced to an operation and the operator who sewed it; failed pieces went to rework, since closed."""
    bad = "(w.operator_id * 131 + w.operation_id * 71 + min(w.bundle_id) * 7) % 100"
    return [text(f"""
INSERT INTO inspections (kind, bundle_id, line_id, inspector_id, checked, defective, defects, result, created_at)
SELECT 'endline', x.bundle_id, x.line_id, :qc, x.pieces, x.bad,
       x.bad + CASE WHEN x.bad > 0 AND x.bundle_id % 3 = 0 THEN 1 ELSE 0 END,
       CASE WHEN x.bad > 0 THEN 'fail' ELSE 'pass' END, {d.at('x.last', '3')}
FROM (SELECT w.bundle_id, max(w.line_id) AS line_id, max(s.pieces) AS pieces, max(w.created_at) AS last,
             CASE WHEN (w.bundle_id * 7919) % 100 < 6 THEN 1 + w.bundle_id % 2 ELSE 0 END AS bad
      FROM work_log w JOIN hist_seq s ON s.bundle_id = w.bundle_id
      WHERE w.is_output GROUP BY w.bundle_id) x ORDER BY x.last"""), text(f"""
INSERT INTO inspections (kind, bundle_id, line_id, inspector_id, operator_id, operation_id, checked, defective,
                         defects, result, light, created_at)
SELECT 'inline', x.bundle_id, x.line_id, :qc, x.operator_id, x.operation_id,
       CASE WHEN s.pieces < 7 THEN s.pieces ELSE 7 END, x.bad, x.bad,
       CASE WHEN x.bad > 0 THEN 'fail' ELSE 'pass' END,
       CASE x.bad WHEN 0 THEN 'green' WHEN 1 THEN 'yellow' ELSE 'red' END, {d.at('x.first', '30')}
FROM (SELECT w.operator_id, w.operation_id, min(w.bundle_id) AS bundle_id, max(w.line_id) AS line_id,
             min(w.created_at) AS first, CASE WHEN {bad} < 9 THEN 1 WHEN {bad} < 12 THEN 2 ELSE 0 END AS bad
      FROM work_log w GROUP BY w.operator_id, w.operation_id, {d.day('w.created_at')}) x
JOIN hist_seq s ON s.bundle_id = x.bundle_id ORDER BY x.first"""), text(f"""
INSERT INTO inspection_defects (inspection_id, defect_type_id, operation_id, operator_id, count)
SELECT i.id, t.defect_type_id, coalesce(i.operation_id, o.operation_id), coalesce(i.operator_id, sl.operator_id),
       i.defects
FROM inspections i JOIN hist_seq s ON s.bundle_id = i.bundle_id JOIN hist_lines ln ON ln.line_id = s.line_id
JOIN hist_ops o ON o.style_id = s.style_id AND o.k = i.id % o.nk
JOIN hist_slots sl ON sl.line_id = s.line_id AND sl.slot = {_slot('0')}
JOIN hist_defects t ON t.n = i.id % :ndefects
WHERE i.defects > 0"""), text(f"""
INSERT INTO rework (bundle_id, order_id, inspection_id, operation_id, operator_id, defect_type_id, pieces, status,
                    created_at, repaired_at, closed_at, closed_by_id)
SELECT i.bundle_id, s.order_id, i.id, x.operation_id, x.operator_id, x.defect_type_id, i.defective, 'closed',
       i.created_at, {d.at('i.created_at', '20')}, {d.at('i.created_at', '45')}, :qc
FROM inspections i JOIN inspection_defects x ON x.inspection_id = i.id JOIN hist_seq s ON s.bundle_id = i.bundle_id
WHERE i.defective > 0""")]
