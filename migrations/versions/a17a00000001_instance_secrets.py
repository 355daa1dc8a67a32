"""instance secrets: the signing key and the board's first token, shared by every app server

Revision ID: a17a00000001
Revises: a13c00000001
Create Date: 2026-12-06 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a17a00000001'
down_revision = 'a13c00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('instance_secrets',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade():
    op.drop_table('instance_secrets')
