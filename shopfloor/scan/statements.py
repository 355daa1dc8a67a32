"""SQL of the ledger's hot path, each piece written once (plain DB-API statements, see shopfloor.scan.sql).

A ledger write is: the work_log row, the bundle x operation counter, then three summaries (line x hour,
order x operation, operator x day). The row, the counter and the summaries are written here once; each write
path only says in which order and under which condition a step runs:
  * PostgreSQL: one statement of data-modifying CTEs (PG_WRITE): the counter first, then the row and the
    summaries only if the counter took the pieces. One statement is atomic on its own, so a scan with no
    reaction to wait for is one round trip that commits itself; a client id already used fails the whole
    statement (unique violation), so nothing of it stays;
  * SQLite: the row first (ON CONFLICT DO NOTHING: a replay adds nothing), then the others, one statement
    each (SQLITE_WRITE) inside BEGIN IMMEDIATE.
Rows come back by column name (every column below has an alias a dataclass field is named after).
"""
from __future__ import annotations

from dataclasses import dataclass

from shopfloor.scan.sql import Stmt
from shopfloor.vocabulary import SequenceCheck, earlier_not_done_sql, output_seq_sql

# --- reads -----------------------------------------------------------------------------------------

# One read for a scan: the bundle and operation, an earlier entry with this client id, the operator, and
# (for the scan API) the sending cookie's session row: whether it is open, and when it was opened and last
# used (an operator's session ends at the shift's end or after idle time, auth/expiry.py).
# Unless the style's check is off, whether earlier operations of the bulletin have no pieces on the bundle
# (earlier_missing): a probe of the bundle's counters of the operations before this one, inside this same read.
FIND = Stmt(f"""
SELECT b.id AS bundle_id, b.status AS bundle_status, b.pieces AS bundle_pieces, b.order_id AS order_id,
       o.line_id AS order_line_id, o.status AS order_status,
       op.id AS operation_id, op.sam AS sam, op.piece_rate_e4 AS rate_e4,
       CASE WHEN op.style_id = o.style_id AND op.active THEN 1 ELSE 0 END AS on_style,
       CASE WHEN op.seq = {output_seq_sql("o.style_id")} THEN 1 ELSE 0 END AS is_output,
       p.done AS done, p.pieces AS cap,
       r.id AS replay_id, r.operator_id AS replay_operator_id,
       u.role AS user_role, u.active AS user_active, u.line_id AS user_line_id,
       u.assigned_operation_id AS user_operation_id,
       s.id AS session_id, s.created_at AS session_created_at, s.used_at AS session_used_at,
       st.sequence_check AS sequence_check,
       CASE WHEN st.sequence_check = '{SequenceCheck.OFF.value}' OR op.id IS NULL THEN 0
            WHEN EXISTS (SELECT 1 FROM operations e WHERE {earlier_not_done_sql("b.id", "o.style_id", "op.seq")})
            THEN 1 ELSE 0 END AS earlier_missing
FROM bundles b
JOIN orders o ON o.id = b.order_id
JOIN styles st ON st.id = o.style_id
LEFT JOIN operations op ON op.id = :op
LEFT JOIN bundle_op_progress p ON p.bundle_id = b.id AND p.operation_id = :op
LEFT JOIN users u ON u.id = :u
LEFT JOIN work_log r ON r.client_id = :cid
LEFT JOIN auth_sessions s ON s.sid_hash = :sid AND s.user_id = :u
WHERE b.code = :code
""")

# The same session row, asked apart when the scan's read found no bundle.
SESSION_OPEN = Stmt("""
SELECT s.id AS session_id, u.role AS user_role, u.line_id AS user_line_id, s.created_at AS session_created_at,
       s.used_at AS session_used_at
FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.sid_hash = :sid AND s.user_id = :u
""")

# A scan is a use of its session: its last use, written at most once a minute (auth/expiry.needs_touch).
SESSION_TOUCH = Stmt("UPDATE auth_sessions SET used_at = :now WHERE id = :id")

REPLAY = Stmt("""
SELECT w.id AS log_id, w.bundle_id, b.code AS bundle_code, w.operation_id, w.pieces, w.created_at,
       w.operator_id
FROM work_log w JOIN bundles b ON b.id = w.bundle_id WHERE w.client_id = :cid
""")

# An entry to reverse, with what its reversal copies (rates and the stored output flag).
FIND_LOG = Stmt("""
SELECT w.id AS log_id, w.bundle_id, w.operation_id, w.operator_id, w.line_id, w.pieces, w.sam,
       w.piece_rate_e4 AS rate_e4, w.is_output, w.created_at, w.reverses_id, b.order_id,
       (SELECT r.id FROM work_log r WHERE r.reverses_id = w.id) AS reversed_by
FROM work_log w JOIN bundles b ON b.id = w.bundle_id
WHERE w.id = :id
""")

# Which earlier operations have no pieces (asked only when a scan is refused or asked to confirm for it).
EARLIER_NOT_DONE = Stmt(f"""
SELECT e.seq FROM operations op JOIN operations e ON {earlier_not_done_sql(":b", "op.style_id", "op.seq")}
WHERE op.id = :op ORDER BY e.seq
""")

DONE_BY = Stmt("""
SELECT u.name FROM work_log w JOIN users u ON u.id = w.operator_id
WHERE w.bundle_id = :b AND w.operation_id = :op GROUP BY u.name HAVING sum(w.pieces) > 0
ORDER BY max(w.created_at) DESC
""")

# --- writes: parameters b, op, u, line, q, sam, rate, is_output, cid, rev, reason, by, ts (the row);
#     cap, start (a new counter); o, day, hour, out, earned, pay (the summaries) ------------------------

@dataclass(frozen=True)
class LogRow:
    """The work_log row, rendered two ways from this one definition:
      values()      INSERT ... VALUES (...) ON CONFLICT (client_id) DO NOTHING: SQLite's form (a replay adds nothing);
      select(when)  INSERT ... SELECT ... WHERE <when>: a step of PostgreSQL's CTE (a taken client id fails it).
    """
    columns: str = ("bundle_id, operation_id, operator_id, line_id, pieces, sam, piece_rate_e4, is_output, "
                    "client_id, reverses_id, reason, created_by_id, created_at")
    values_sql: str = ":b, :op, :u, :line, :q, :sam, :rate, :is_output, :cid, :rev, :reason, :by, :ts"

    def values(self) -> str:
        return (f"INSERT INTO work_log ({self.columns})\nVALUES ({self.values_sql})\n"
                "ON CONFLICT (client_id) DO NOTHING\nRETURNING id")

    def select(self, when: str) -> str:
        return f"INSERT INTO work_log ({self.columns})\nSELECT {self.values_sql} WHERE {when}\nRETURNING id"


LOG = LogRow()


@dataclass(frozen=True)
class Upsert:
    """INSERT <row> ON CONFLICT (<key>) DO UPDATE SET <update>, the row skipped when the parameter
    `required` is NULL. Rendered two ways from this one definition:
      values()      INSERT ... VALUES (...): SQLite's form (a one-row insert needs no statement journal), and
                    the first step of PostgreSQL's CTE (the counter);
      select(when)  INSERT ... SELECT ... WHERE <required is set> AND <when>: a later step of PostgreSQL's CTE.
    """
    table: str
    columns: str
    values_sql: str
    key: str
    update: str
    required: str | None = None   # an integer parameter that must be set for the row to be written
    returning: str = ""

    def _tail(self) -> str:
        return f"ON CONFLICT ({self.key}) DO UPDATE SET {self.update}{self.returning}"

    def values(self) -> str:
        return f"INSERT INTO {self.table} ({self.columns})\nVALUES ({self.values_sql})\n{self._tail()}"

    def select(self, when: str) -> str:
        guard = f"CAST(:{self.required} AS INTEGER) IS NOT NULL AND " if self.required else ""
        return (f"INSERT INTO {self.table} ({self.columns})\nSELECT {self.values_sql} WHERE {guard}{when}\n"
                f"{self._tail()}")


# Never beyond the bundle, never below zero: the conditional update re-checks what the read saw (the CHECK
# constraint done BETWEEN 0 AND pieces backs it up); no row back means another scan took the pieces.
# A new counter starts at :start (the pieces of a scan; 0 for a reversal, whose counter always exists):
# both databases check a CHECK constraint on the proposed row before they find the conflict.
PROGRESS = Upsert(
    "bundle_op_progress", "bundle_id, operation_id, pieces, done", ":b, :op, :cap, :start",
    "bundle_id, operation_id",
    "done = bundle_op_progress.done + :q\n"
    "WHERE bundle_op_progress.done + :q BETWEEN 0 AND bundle_op_progress.pieces",
    returning="\nRETURNING done")

LINE_HOUR = Upsert(
    "line_hour_output", "line_id, day, hour, pieces, output, earned_minutes", ":line, :day, :hour, :q, :out, :earned",
    "line_id, day, hour",
    "pieces = line_hour_output.pieces + excluded.pieces, output = line_hour_output.output + excluded.output, "
    "earned_minutes = line_hour_output.earned_minutes + excluded.earned_minutes",
    required="line")

ORDER_OP = Upsert(
    "order_op_progress", "order_id, operation_id, done, earned_minutes, labour_e4", ":o, :op, :q, :earned, :pay",
    "order_id, operation_id",
    "done = order_op_progress.done + excluded.done, "
    "earned_minutes = order_op_progress.earned_minutes + excluded.earned_minutes, "
    "labour_e4 = order_op_progress.labour_e4 + excluded.labour_e4")

OPERATOR_DAY = Upsert(
    "operator_day", "operator_id, day, line_id, pieces, earned_minutes, earnings_e4",
    ":u, :day, :line, :q, :earned, :pay", "operator_id, day",
    "pieces = operator_day.pieces + excluded.pieces, "
    "earned_minutes = operator_day.earned_minutes + excluded.earned_minutes, "
    "earnings_e4 = operator_day.earnings_e4 + excluded.earnings_e4, "
    "line_id = COALESCE(excluded.line_id, operator_day.line_id)")

SUMMARIES = (LINE_HOUR, ORDER_OP, OPERATOR_DAY)

# The counter as it almost always is: made when the order was cut, so a plain conditional UPDATE (cheaper
# than an upsert's speculative insert on PostgreSQL). The upsert above makes one for an operation added to
# the bulletin after cutting. Counter rows are never deleted, so one read as existing still exists.
PROGRESS_EXISTING = ("UPDATE bundle_op_progress SET done = done + :q\n"
                     "WHERE bundle_id = :b AND operation_id = :op AND done + :q BETWEEN 0 AND pieces")

# PostgreSQL: every write in one statement, the counter first. (log_id, done) = (None, None): another scan took
# the pieces (nothing was written).
_AFTER_PROGRESS = "EXISTS (SELECT 1 FROM prog)"
def pg_write(progress: str, summaries: tuple[Upsert, ...] = SUMMARIES) -> Stmt:
    """The one write statement (bench/scan_sql_cpu.py also renders it without the summaries, to weigh them)."""
    steps = [f"prog AS ({progress})", f"ins AS ({LOG.select(_AFTER_PROGRESS)})"]
    steps += [f"{name} AS ({u.select(_AFTER_PROGRESS)})" for name, u in zip(("lh", "oo", "od"), summaries)]
    return Stmt("WITH " + ",\n".join(steps) + "\nSELECT (SELECT id FROM ins) AS log_id, (SELECT done FROM prog) AS done")


PROGRESS_EXISTING_RETURNING = f"{PROGRESS_EXISTING}\nRETURNING done"
PG_WRITE = pg_write(PROGRESS.values())                           # a new counter (upsert)
PG_WRITE_EXISTING = pg_write(PROGRESS_EXISTING_RETURNING)        # the usual case


@dataclass(frozen=True)
class SqliteWrite:
    log: Stmt
    progress: Stmt            # a new counter (upsert)
    progress_existing: Stmt   # the usual case (conditional update)
    summaries: tuple[tuple[Stmt, str | None], ...]   # (statement, parameter that must be set)


# SQLite: the same steps, one statement each, in the caller's BEGIN IMMEDIATE.
SQLITE_WRITE = SqliteWrite(Stmt(LOG.values()), Stmt(PROGRESS.values()), Stmt(PROGRESS_EXISTING + "\nRETURNING done"),
                           tuple((Stmt(u.values()), u.required) for u in SUMMARIES))
