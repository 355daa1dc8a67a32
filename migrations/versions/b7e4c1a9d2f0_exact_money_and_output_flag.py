"""Exact money in ten-thousandths (BIGINT *_e4 columns) and work_log.is_output stored at write time

Money columns were Numeric, which SQLite stores as REAL floats: piece rates, ledger rates, daily
earnings and target costs become whole ten-thousandths of the currency unit (see shopfloor/money.py),
converted as round(value x 10000).

work_log.is_output records whether the entry's operation was its style's output operation (the last
active one) when written. Existing rows only have today's bulletin to go by, so they are filled from it.

Revision ID: b7e4c1a9d2f0
Revises: cf4115caa21d
Create Date: 2026-12-01 20:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = "b7e4c1a9d2f0"
down_revision = "cf4115caa21d"
branch_labels = None
depends_on = None

# (table, old Numeric column, new ten-thousandths column, nullable, old type)
MONEY = (
    ("styles", "target_cost_per_piece", "target_cost_e4", True, sa.Numeric(10, 4)),
    ("operations", "piece_rate", "piece_rate_e4", False, sa.Numeric(10, 4)),
    ("work_log", "piece_rate", "piece_rate_e4", False, sa.Numeric(10, 4)),
    ("operator_day", "earnings", "earnings_e4", False, sa.Numeric(14, 4)),
)

# The output operation as the bulletin has it today (frozen here: a migration never follows later code).
_IS_OUTPUT = """
UPDATE work_log SET is_output = COALESCE((
  SELECT op.seq = (SELECT max(o2.seq) FROM operations o2 WHERE o2.style_id = op.style_id AND o2.active)
  FROM operations op WHERE op.id = work_log.operation_id), false)
"""


def upgrade():
    for table, old, new, nullable, _type in MONEY:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(new, sa.BigInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET {new} = CAST(round({old} * 10000) AS BIGINT)")
        with op.batch_alter_table(table) as batch:
            if not nullable:
                batch.alter_column(new, existing_type=sa.BigInteger(), nullable=False)
            batch.drop_column(old)
    with op.batch_alter_table("work_log") as batch:
        batch.add_column(sa.Column("is_output", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(_IS_OUTPUT)


def downgrade():
    with op.batch_alter_table("work_log") as batch:
        batch.drop_column("is_output")
    for table, old, new, nullable, old_type in MONEY:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(old, old_type, nullable=True))
        op.execute(f"UPDATE {table} SET {old} = {new} / 10000.0")
        with op.batch_alter_table(table) as batch:
            if not nullable:
                batch.alter_column(old, existing_type=old_type, nullable=False)
            batch.drop_column(new)
