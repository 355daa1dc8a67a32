"""styles.sequence_check: warn / block / off when an operation is logged before earlier ones have pieces

Revision ID: e3a9c4f1b2d6
Revises: d7d3e587ac84
Create Date: 2026-12-01 22:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a9c4f1b2d6'
down_revision = "d7d3e587ac84"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('styles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence_check', sa.String(length=8), server_default='warn', nullable=False))


def downgrade():
    with op.batch_alter_table('styles', schema=None) as batch_op:
        batch_op.drop_column('sequence_check')
