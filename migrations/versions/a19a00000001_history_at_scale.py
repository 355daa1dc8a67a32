"""history at scale: an order's labour and earned minutes kept per operation with its pieces (order_op_progress),
so the review reads an order's cost without summing a year of ledger; output entries by time (the forecast's
rate) and operator days by day (the board, the review) indexed

Revision ID: a19a00000001
Revises: a18a00000001
Create Date: 2026-12-07 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a19a00000001'
down_revision = 'a18a00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_op_progress') as batch_op:
        batch_op.add_column(sa.Column('earned_minutes', sa.Numeric(precision=14, scale=3), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('labour_e4', sa.BigInteger(), server_default='0', nullable=False))
    # The ledger so far, per order and operation (each counter row reads its bundles' entries by index).
    op.execute("""
        UPDATE order_op_progress SET
          earned_minutes = coalesce((SELECT sum(w.pieces * w.sam) FROM bundles b
                                     JOIN work_log w ON w.bundle_id = b.id AND w.operation_id = order_op_progress.operation_id
                                     WHERE b.order_id = order_op_progress.order_id), 0),
          labour_e4 = coalesce((SELECT sum(w.pieces * w.piece_rate_e4) FROM bundles b
                                JOIN work_log w ON w.bundle_id = b.id AND w.operation_id = order_op_progress.operation_id
                                WHERE b.order_id = order_op_progress.order_id), 0)""")
    with op.batch_alter_table('work_log') as batch_op:
        batch_op.create_index('ix_work_log_output_created', ['created_at', 'bundle_id', 'pieces'], unique=False,
                              sqlite_where=sa.text('is_output'), postgresql_where=sa.text('is_output'))
    with op.batch_alter_table('operator_day') as batch_op:
        batch_op.create_index('ix_operator_day_day', ['day'], unique=False)


def downgrade():
    with op.batch_alter_table('operator_day') as batch_op:
        batch_op.drop_index('ix_operator_day_day')
    with op.batch_alter_table('work_log') as batch_op:
        batch_op.drop_index('ix_work_log_output_created')
    with op.batch_alter_table('order_op_progress') as batch_op:
        batch_op.drop_column('labour_e4')
        batch_op.drop_column('earned_minutes')
