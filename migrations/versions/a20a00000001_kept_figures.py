"""kept figures: a closed day's attendance figures per operator, kept so that a month's review and payslips read
them instead of working them out again (attendance/kept.py)

Revision ID: a20a00000001
Revises: a19a00000001
Create Date: 2026-12-07 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a20a00000001'
down_revision = 'a19a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kept_figures',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('operator_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=True),
        sa.Column('had_pieces', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('time_in', sa.DateTime(), nullable=True),
        sa.Column('time_out', sa.DateTime(), nullable=True),
        sa.Column('attended', sa.Integer(), nullable=False),
        sa.Column('overtime', sa.Integer(), nullable=False),
        sa.Column('off_standard', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_kept_figures_operator_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('day', 'operator_id', name=op.f('pk_kept_figures')),
    )
    op.create_table(
        'kept_figures_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('settings', sa.String(length=200), nullable=False),
        sa.Column('kept_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_kept_figures_days')),
    )
    generation = op.create_table(
        'kept_figures_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_figures_generation')),
    )
    op.bulk_insert(generation, [{'id': 1, 'generation': 0}])


def downgrade():
    op.drop_table('kept_figures_generation')
    op.drop_table('kept_figures_days')
    op.drop_table('kept_figures')
