"""SQL of the scan hot path (plain DB-API statements, see shopfloor.scan.sql)."""
from shopfloor.scan.sql import Stmt

_FIND = Stmt("""
SELECT b.id, b.status, b.pieces, b.order_id, o.line_id, op.id, op.sam, op.piece_rate,
       CASE WHEN op.style_id = o.style_id AND op.active THEN 1 ELSE 0 END,
       CASE WHEN op.seq = (SELECT max(o2.seq) FROM operations o2
                           WHERE o2.style_id = o.style_id AND o2.active) THEN 1 ELSE 0 END,
       p.done, p.pieces, o.status,
       (SELECT w.id FROM work_log w WHERE w.client_id = :cid),
       (SELECT u.role FROM users u WHERE u.id = :u), (SELECT u.active FROM users u WHERE u.id = :u),
       (SELECT u.line_id FROM users u WHERE u.id = :u)
FROM bundles b
JOIN orders o ON o.id = b.order_id
LEFT JOIN operations op ON op.id = :op
LEFT JOIN bundle_op_progress p ON p.bundle_id = b.id AND p.operation_id = :op
WHERE b.code = :code
""")

# PostgreSQL: every write of a scan in one round trip. Each step runs only if the one before it did,
# so (ledger id, new count) = (None, None) is a replay and (id, None) lost a race (rolled back).
_PG_WRITE = Stmt("""
WITH ins AS (
  INSERT INTO work_log (bundle_id, operation_id, operator_id, line_id, pieces, sam, piece_rate, client_id,
                        reverses_id, reason, created_by_id, created_at)
  VALUES (:b, :op, :u, :line, :q, :sam, :rate, :cid, NULL, NULL, :u, :ts)
  ON CONFLICT (client_id) DO NOTHING RETURNING id
), prog AS (
  UPDATE bundle_op_progress SET done = done + :q
  WHERE bundle_id = :b AND operation_id = :op AND done + :q <= pieces AND EXISTS (SELECT 1 FROM ins)
  RETURNING done
), lh AS (
  INSERT INTO line_hour_output (line_id, day, hour, pieces, output, earned_minutes)
  SELECT :line, :day, :hour, :q, :out, :earned WHERE :line IS NOT NULL AND EXISTS (SELECT 1 FROM prog)
  ON CONFLICT (line_id, day, hour) DO UPDATE SET
    pieces = line_hour_output.pieces + excluded.pieces, output = line_hour_output.output + excluded.output,
    earned_minutes = line_hour_output.earned_minutes + excluded.earned_minutes
), oo AS (
  INSERT INTO order_op_progress (order_id, operation_id, done) SELECT :o, :op, :q WHERE EXISTS (SELECT 1 FROM prog)
  ON CONFLICT (order_id, operation_id) DO UPDATE SET done = order_op_progress.done + excluded.done
), od AS (
  INSERT INTO operator_day (operator_id, day, line_id, pieces, earned_minutes, earnings)
  SELECT :u, :day, :line, :q, :earned, :pay WHERE EXISTS (SELECT 1 FROM prog)
  ON CONFLICT (operator_id, day) DO UPDATE SET
    pieces = operator_day.pieces + excluded.pieces,
    earned_minutes = operator_day.earned_minutes + excluded.earned_minutes,
    earnings = operator_day.earnings + excluded.earnings,
    line_id = COALESCE(excluded.line_id, operator_day.line_id)
)
SELECT (SELECT id FROM ins), (SELECT done FROM prog)
""")

_REPLAY = Stmt("SELECT w.id, w.bundle_id, b.code, w.operation_id, w.pieces, w.created_at, w.operator_id "
               "FROM work_log w JOIN bundles b ON b.id = w.bundle_id WHERE w.client_id = :cid")

_INSERT_LOG = Stmt("""
INSERT INTO work_log (bundle_id, operation_id, operator_id, line_id, pieces, sam, piece_rate,
                      client_id, reverses_id, reason, created_by_id, created_at)
VALUES (:b, :op, :u, :line, :q, :sam, :rate, :cid, :rev, :reason, :by, :ts)
ON CONFLICT (client_id) DO NOTHING
RETURNING id
""")

_ENSURE_PROGRESS = Stmt("INSERT INTO bundle_op_progress (bundle_id, operation_id, pieces, done) "
                        "VALUES (:b, :op, :cap, 0) ON CONFLICT (bundle_id, operation_id) DO NOTHING")

_ADD_PROGRESS = Stmt("UPDATE bundle_op_progress SET done = done + :q "
                     "WHERE bundle_id = :b AND operation_id = :op AND done + :q <= pieces AND done + :q >= 0 "
                     "RETURNING done")

_LINE_HOUR = Stmt("""
INSERT INTO line_hour_output (line_id, day, hour, pieces, output, earned_minutes)
VALUES (:line, :day, :hour, :q, :out, :earned)
ON CONFLICT (line_id, day, hour) DO UPDATE SET
  pieces = line_hour_output.pieces + excluded.pieces,
  output = line_hour_output.output + excluded.output,
  earned_minutes = line_hour_output.earned_minutes + excluded.earned_minutes
""")

_ORDER_OP = Stmt("""
INSERT INTO order_op_progress (order_id, operation_id, done) VALUES (:o, :op, :q)
ON CONFLICT (order_id, operation_id) DO UPDATE SET done = order_op_progress.done + excluded.done
""")

_OPERATOR_DAY = Stmt("""
INSERT INTO operator_day (operator_id, day, line_id, pieces, earned_minutes, earnings)
VALUES (:u, :day, :line, :q, :earned, :pay)
ON CONFLICT (operator_id, day) DO UPDATE SET
  pieces = operator_day.pieces + excluded.pieces,
  earned_minutes = operator_day.earned_minutes + excluded.earned_minutes,
  earnings = operator_day.earnings + excluded.earnings,
  line_id = COALESCE(excluded.line_id, operator_day.line_id)
""")

_DONE_BY = Stmt("SELECT u.name FROM work_log w JOIN users u ON u.id = w.operator_id "
                "WHERE w.bundle_id = :b AND w.operation_id = :op GROUP BY u.name HAVING sum(w.pieces) > 0 "
                "ORDER BY max(w.created_at) DESC")

_FIND_LOG = Stmt("""
SELECT w.id, w.bundle_id, w.operation_id, w.operator_id, w.line_id, w.pieces, w.sam, w.piece_rate,
       w.created_at, w.reverses_id, b.order_id,
       CASE WHEN op.seq = (SELECT max(o2.seq) FROM operations o2
                           WHERE o2.style_id = op.style_id AND o2.active) THEN 1 ELSE 0 END,
       (SELECT r.id FROM work_log r WHERE r.reverses_id = w.id)
FROM work_log w JOIN bundles b ON b.id = w.bundle_id JOIN operations op ON op.id = w.operation_id
WHERE w.id = :id
""")

_PG_WRITE.pg = _PG_WRITE.pg.replace("WHERE %(line)s IS NOT NULL", "WHERE CAST(%(line)s AS INTEGER) IS NOT NULL")
