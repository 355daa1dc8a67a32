"""order lifecycle: status history (who, when, why), hold's former status, shipping tolerance per order

Revision ID: a15b00000001
Revises: a13c00000001
Create Date: 2026-12-06 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a15b00000001'
down_revision = 'a17a00000001'
branch_labels = None
depends_on = None

STATUSES = ('open', 'cutting', 'sewing', 'finishing', 'packed', 'shipped', 'closed', 'hold', 'cancelled')
RULES = ('created', 'cut', 'first_scan', 'output_done', 'packing', 'shipping')


def upgrade():
    op.create_table('order_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum(*STATUSES, name='orderstatus', native_enum=False, length=20), nullable=True),
    sa.Column('to_status', sa.Enum(*STATUSES, name='orderstatus', native_enum=False, length=20), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.Enum(*RULES, name='statusrule', native_enum=False, length=20), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_order_status_changes_by_user_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_status_changes_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_status_changes'))
    )
    with op.batch_alter_table('order_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_status_changes_order_id'), ['order_id'], unique=False)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_from', sa.Enum(*STATUSES, name='orderstatus', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('short_tolerance_pm', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('excess_tolerance_pm', sa.Integer(), nullable=True))
    # Orders that exist keep a history from here on: one row each, how they were entered.
    op.execute("INSERT INTO order_status_changes (order_id, from_status, to_status, rule, reason, at) "
               "SELECT id, NULL, 'open', 'created', '', created_at FROM orders")


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('excess_tolerance_pm')
        batch_op.drop_column('short_tolerance_pm')
        batch_op.drop_column('held_from')
    with op.batch_alter_table('order_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_status_changes_order_id'))
    op.drop_table('order_status_changes')
