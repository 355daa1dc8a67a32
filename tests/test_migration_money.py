"""Migration b7e4c1a9d2f0 converts existing money to ten-thousandths and fills work_log.is_output."""
from __future__ import annotations

from decimal import Decimal

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from shopfloor import create_app
from shopfloor.extensions import db
from tests.conftest import _config
from tests.test_migrations import empty_db_url  # noqa: F401  (fixture)

_BEFORE = [
    "INSERT INTO lines (id, code, name, target_efficiency, active) VALUES (1, 'L1', 'Line', 0.7, true)",
    "INSERT INTO styles (id, code, name, sizes_csv, target_cost_per_piece, active) "
    "VALUES (1, 'S', 'S', 'M', 1.2345, true)",
    "INSERT INTO operations (id, style_id, seq, name, machine, sam, piece_rate, qc_point, active) VALUES "
    "(1, 1, 1, 'a', '', 0.5, 0.025, false, true), (2, 1, 2, 'b', '', 0.7, 0.035, false, true), "
    "(3, 1, 3, 'c', '', 0.7, 0.0175, false, false)",
    "INSERT INTO users (id, name, role, language, active, failed_pin_count, created_at) "
    "VALUES (1, 'u', 'operator', 'en', true, 0, '2026-01-01')",
    "INSERT INTO orders (id, number, customer, style_id, due_date, line_id, status, created_at) "
    "VALUES (1, 'O', 'C', 1, '2026-02-01', 1, 'sewing', '2026-01-01')",
    "INSERT INTO bundles (id, code, order_id, number, size, colour, pieces, status, created_at) "
    "VALUES (1, 'B1', 1, 1, 'M', 'b', 10, 'open', '2026-01-01')",
    "INSERT INTO work_log (id, bundle_id, operation_id, operator_id, line_id, pieces, sam, piece_rate, created_at) "
    "VALUES (1, 1, 1, 1, 1, 7, 0.5, 0.025, '2026-01-01'), (2, 1, 2, 1, 1, 7, 0.7, 0.035, '2026-01-01')",
    "INSERT INTO work_log (id, bundle_id, operation_id, operator_id, line_id, pieces, sam, piece_rate, reverses_id, "
    "reason, created_at) VALUES (3, 1, 2, 1, 1, -7, 0.7, 0.035, 2, 'x', '2026-01-01')",
    "INSERT INTO operator_day (operator_id, day, line_id, pieces, earned_minutes, earnings) "
    "VALUES (1, '2026-01-01', 1, 7, 3.5, 0.175)",
]


def test_money_and_output_flag_are_converted(empty_db_url):  # noqa: F811
    app = create_app(_config(empty_db_url))
    with app.app_context():
        upgrade(directory="migrations", revision="60827382e657")
        with db.engine.begin() as conn:
            for sql in _BEFORE:
                conn.execute(text(sql))
        upgrade(directory="migrations")
        with db.engine.connect() as conn:
            log = [tuple(r) for r in conn.execute(text(
                "SELECT id, piece_rate_e4, is_output FROM work_log ORDER BY id"))]
            ops = conn.execute(text("SELECT piece_rate_e4 FROM operations ORDER BY id")).scalars().all()
            cost = conn.execute(text("SELECT target_cost_e4 FROM styles")).scalar()
            earnings = conn.execute(text("SELECT earnings_e4 FROM operator_day")).scalar()
        # Op 2 is the last active operation (op 3 is retired): its entry and the reversal count as output.
        assert [(i, rate, bool(out)) for i, rate, out in log] == [(1, 250, False), (2, 350, True), (3, 350, True)]
        assert ops == [250, 350, 175] and cost == 12345 and earnings == 1750
        downgrade(directory="migrations", revision="60827382e657")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT earnings FROM operator_day")).scalar()
        assert Decimal(str(back)) == Decimal("0.175")
        db.engine.dispose()
