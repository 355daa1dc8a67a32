"""skill matrix: operators' levels on operations and on machine types (issue 14, line balancing)

Revision ID: a14a00000001
Revises: a13c00000001
Create Date: 2026-12-06 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a14a00000001'
down_revision = 'a15b00000001'
branch_labels = None
depends_on = None

LEVEL = sa.Enum('learning', 'qualified', 'expert', name='skilllevel', native_enum=False, length=10,
                create_constraint=False)


def upgrade():
    op.create_table('operation_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('level', LEVEL, nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_operation_skills_operation_id_operations')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_operation_skills_operator_id_users')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_operation_skills_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation_skills')),
    sa.UniqueConstraint('operator_id', 'operation_id', name=op.f('uq_operation_skills_operator_id'))
    )
    with op.batch_alter_table('operation_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operation_skills_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operation_skills_operator_id'), ['operator_id'], unique=False)

    op.create_table('machine_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('machine', sa.String(length=60), nullable=False),
    sa.Column('level', LEVEL, nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_machine_skills_operator_id_users')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_machine_skills_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_machine_skills')),
    sa.UniqueConstraint('operator_id', 'machine', name=op.f('uq_machine_skills_operator_id'))
    )
    with op.batch_alter_table('machine_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_machine_skills_operator_id'), ['operator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('machine_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_machine_skills_operator_id'))
    op.drop_table('machine_skills')
    with op.batch_alter_table('operation_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operation_skills_operator_id'))
        batch_op.drop_index(batch_op.f('ix_operation_skills_operation_id'))
    op.drop_table('operation_skills')
