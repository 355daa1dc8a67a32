"""names per language: an operation's and a defect's name in each floor language, entered by the manager

Revision ID: a18a00000001
Revises: a17a00000001
Create Date: 2026-12-06 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a18a00000001'
down_revision = 'a16b00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('operations') as batch_op:
        batch_op.add_column(sa.Column('names', sa.JSON(), nullable=True))
    with op.batch_alter_table('defect_types') as batch_op:
        batch_op.add_column(sa.Column('names', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('defect_types') as batch_op:
        batch_op.drop_column('names')
    with op.batch_alter_table('operations') as batch_op:
        batch_op.drop_column('names')
