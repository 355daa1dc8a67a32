"""stoppages: andon stops of an operator, a machine or a line, with a reason, acknowledged and closed

Revision ID: a13c00000001
Revises: e3a9c4f1b2d6
Create Date: 2026-12-06 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a13c00000001'
down_revision = 'a13b00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stoppages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('operator', 'machine', 'line', name='stopscope', native_enum=False, length=10), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('machine', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.Enum('breakdown', 'needle_thread', 'no_work', 'quality', 'power', 'meeting', 'other', name='stopreason', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('open', 'acknowledged', 'closed', name='stopstatus', native_enum=False, length=12), nullable=False),
    sa.Column('open_key', sa.String(length=40), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_stoppages_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_stoppages_closed_by_id_users')),
    sa.ForeignKeyConstraint(['line_id'], ['lines.id'], name=op.f('fk_stoppages_line_id_lines')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_stoppages_operator_id_users')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_stoppages_raised_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stoppages')),
    sa.UniqueConstraint('open_key', name=op.f('uq_stoppages_open_key'))
    )
    with op.batch_alter_table('stoppages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stoppages_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stoppages_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stoppages_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stoppages_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('stoppages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stoppages_status'))
        batch_op.drop_index(batch_op.f('ix_stoppages_started_at'))
        batch_op.drop_index(batch_op.f('ix_stoppages_operator_id'))
        batch_op.drop_index(batch_op.f('ix_stoppages_line_id'))
    op.drop_table('stoppages')
