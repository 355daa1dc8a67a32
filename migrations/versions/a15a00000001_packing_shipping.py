"""packing and shipping: packing plans, SSCC cartons and their lines, pieces packed per bundle, pack entries
(client ids), shipments, final audits on packed cartons

Revision ID: a15a00000001
Revises: a13c00000001
Create Date: 2026-12-06 21:39:54.702382

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a15a00000001'
down_revision = 'a14a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('packing_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('solid', 'ratio', name='packmode', native_enum=False, length=8), nullable=False),
    sa.Column('pieces_per_carton', sa.Integer(), nullable=False),
    sa.Column('ratio', sa.String(length=200), nullable=False),
    sa.Column('length_cm', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('width_cm', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('height_cm', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('net_kg', sa.Numeric(precision=7, scale=3), nullable=False),
    sa.Column('gross_kg', sa.Numeric(precision=7, scale=3), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('pieces_per_carton > 0', name=op.f('ck_packing_plans_pieces_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_packing_plans_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packing_plans')),
    sa.UniqueConstraint('order_id', name=op.f('uq_packing_plans_order_id'))
    )
    op.create_table('bundle_packed',
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('pieces', sa.Integer(), nullable=False),
    sa.Column('packed', sa.Integer(), nullable=False),
    sa.CheckConstraint('packed >= 0 AND packed <= pieces', name=op.f('ck_bundle_packed_packed_within_bundle')),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundles.id'], name=op.f('fk_bundle_packed_bundle_id_bundles')),
    sa.PrimaryKeyConstraint('bundle_id', name=op.f('pk_bundle_packed'))
    )
    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('ex_factory', sa.Date(), nullable=False),
    sa.Column('carrier', sa.String(length=80), nullable=False),
    sa.Column('container', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('planned', 'shipped', name='shipmentstatus', native_enum=False, length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('shipped_at', sa.DateTime(), nullable=True),
    sa.Column('shipped_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shipments_created_by_id_users')),
    sa.ForeignKeyConstraint(['shipped_by_id'], ['users.id'], name=op.f('fk_shipments_shipped_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('number', name=op.f('uq_shipments_number'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_status'), ['status'], unique=False)

    op.create_table('cartons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('sscc', sa.String(length=18), nullable=True),
    sa.Column('colour', sa.String(length=40), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('packed', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='cartonstatus', native_enum=False, length=8), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('packed >= 0 AND packed <= capacity', name=op.f('ck_cartons_packed_within_capacity')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_cartons_closed_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_cartons_order_id_orders')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_cartons_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cartons')),
    sa.UniqueConstraint('order_id', 'number', name=op.f('uq_cartons_order_id')),
    sa.UniqueConstraint('sscc', name=op.f('uq_cartons_sscc'))
    )
    with op.batch_alter_table('cartons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cartons_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cartons_shipment_id'), ['shipment_id'], unique=False)

    op.create_table('pack_audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('cartons_total', sa.Integer(), nullable=False),
    sa.Column('lot_pieces', sa.Integer(), nullable=False),
    sa.Column('major_ac', sa.Integer(), nullable=False),
    sa.Column('minor_ac', sa.Integer(), nullable=False),
    sa.Column('result', sa.Enum('pass', 'fail', name='inspectionresult', native_enum=False, length=6), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_pack_audits_inspector_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_pack_audits_order_id_orders')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_pack_audits_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_audits'))
    )
    with op.batch_alter_table('pack_audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_audits_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pack_audits_shipment_id'), ['shipment_id'], unique=False)

    op.create_table('carton_lines',
    sa.Column('carton_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.String(length=20), nullable=False),
    sa.Column('colour', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('planned', sa.Integer(), nullable=False),
    sa.Column('packed', sa.Integer(), nullable=False),
    sa.CheckConstraint('packed >= 0 AND packed <= planned', name=op.f('ck_carton_lines_packed_within_plan')),
    sa.ForeignKeyConstraint(['carton_id'], ['cartons.id'], name=op.f('fk_carton_lines_carton_id_cartons')),
    sa.PrimaryKeyConstraint('carton_id', 'size', 'colour', name=op.f('pk_carton_lines'))
    )
    op.create_table('pack_audit_cartons',
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('carton_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('critical', sa.Integer(), nullable=False),
    sa.Column('major', sa.Integer(), nullable=False),
    sa.Column('minor', sa.Integer(), nullable=False),
    sa.Column('checked', sa.Boolean(), nullable=False),
    sa.CheckConstraint('critical >= 0 AND major >= 0 AND minor >= 0', name=op.f('ck_pack_audit_cartons_counts_not_negative')),
    sa.ForeignKeyConstraint(['audit_id'], ['pack_audits.id'], name=op.f('fk_pack_audit_cartons_audit_id_pack_audits')),
    sa.ForeignKeyConstraint(['carton_id'], ['cartons.id'], name=op.f('fk_pack_audit_cartons_carton_id_cartons')),
    sa.PrimaryKeyConstraint('audit_id', 'carton_id', name=op.f('pk_pack_audit_cartons'))
    )
    op.create_table('pack_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('carton_id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.String(length=20), nullable=False),
    sa.Column('colour', sa.String(length=40), nullable=False),
    sa.Column('pieces', sa.Integer(), nullable=False),
    sa.Column('packed_by_id', sa.Integer(), nullable=False),
    sa.Column('packed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('pieces > 0', name=op.f('ck_pack_entries_pieces_positive')),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundles.id'], name=op.f('fk_pack_entries_bundle_id_bundles')),
    sa.ForeignKeyConstraint(['carton_id'], ['cartons.id'], name=op.f('fk_pack_entries_carton_id_cartons')),
    sa.ForeignKeyConstraint(['packed_by_id'], ['users.id'], name=op.f('fk_pack_entries_packed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_entries')),
    sa.UniqueConstraint('client_id', name=op.f('uq_pack_entries_client_id'))
    )
    with op.batch_alter_table('pack_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_entries_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pack_entries_carton_id'), ['carton_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pack_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_entries_carton_id'))
        batch_op.drop_index(batch_op.f('ix_pack_entries_bundle_id'))

    op.drop_table('pack_entries')
    op.drop_table('pack_audit_cartons')
    op.drop_table('carton_lines')
    with op.batch_alter_table('pack_audits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_audits_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_pack_audits_order_id'))

    op.drop_table('pack_audits')
    with op.batch_alter_table('cartons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cartons_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_cartons_order_id'))

    op.drop_table('cartons')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_status'))

    op.drop_table('shipments')
    op.drop_table('bundle_packed')
    op.drop_table('packing_plans')
