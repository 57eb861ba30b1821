"""Targets and their discovered snapshots, waves with their VMs (one wave per VM), and versioned plans.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 00:45:30.482970
"""

from alembic import op
import sqlalchemy as sa
import migrate.db.base
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('api_host', sa.String(length=255), nullable=False),
    sa.Column('api_port', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.String(length=255), nullable=False),
    sa.Column('ca_file', sa.Text(), nullable=True),
    sa.Column('insecure', sa.Boolean(), nullable=False),
    sa.Column('ssh_user', sa.String(length=255), nullable=True),
    sa.Column('ssh_key', sa.Text(), nullable=True),
    sa.Column('known_hosts', sa.Text(), nullable=True),
    sa.Column('created_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets')),
    sa.UniqueConstraint('name', name=op.f('uq_targets_name'))
    )
    op.create_table('waves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('selection', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waves')),
    sa.UniqueConstraint('number', name=op.f('uq_waves_number'))
    )
    op.create_table('target_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('discovered_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['targets.id'], name=op.f('fk_target_snapshots_target_id_targets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_snapshots')),
    sa.UniqueConstraint('target_id', 'version', name=op.f('uq_target_snapshots_target_id_version'))
    )
    with op.batch_alter_table('target_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_snapshots_target_id'), ['target_id'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('created_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('forced', sa.Boolean(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['target_snapshots.id'], name=op.f('fk_plans_snapshot_id_target_snapshots')),
    sa.ForeignKeyConstraint(['target_id'], ['targets.id'], name=op.f('fk_plans_target_id_targets')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_plans_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('wave_id', 'version', name=op.f('uq_plans_wave_id_version'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_wave_id'), ['wave_id'], unique=False)

    op.create_table('plan_vms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('vm_id', sa.Integer(), nullable=False),
    sa.Column('vm_name', sa.String(length=255), nullable=False),
    sa.Column('proxmox_name', sa.String(length=255), nullable=False),
    sa.Column('node', sa.String(length=255), nullable=False),
    sa.Column('vmid', sa.Integer(), nullable=False),
    sa.Column('entry', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_vms_plan_id_plans')),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], name=op.f('fk_plan_vms_vm_id_vms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_vms')),
    sa.UniqueConstraint('plan_id', 'vm_id', name=op.f('uq_plan_vms_plan_id_vm_id')),
    sa.UniqueConstraint('plan_id', 'vmid', name=op.f('uq_plan_vms_plan_id_vmid'))
    )
    with op.batch_alter_table('plan_vms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_vms_plan_id'), ['plan_id'], unique=False)

    op.create_table('wave_vms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('vm_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], name=op.f('fk_wave_vms_vm_id_vms')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_vms_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wave_vms')),
    sa.UniqueConstraint('vm_id', name=op.f('uq_wave_vms_vm_id'))
    )
    with op.batch_alter_table('wave_vms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_vms_wave_id'), ['wave_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wave_vms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_vms_wave_id'))

    op.drop_table('wave_vms')
    with op.batch_alter_table('plan_vms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_vms_plan_id'))

    op.drop_table('plan_vms')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_wave_id'))

    op.drop_table('plans')
    with op.batch_alter_table('target_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_snapshots_target_id'))

    op.drop_table('target_snapshots')
    op.drop_table('waves')
    op.drop_table('targets')
