"""Inventory: sources, discovery runs, VMs with their changes, hosts, clusters, datastores, networks.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 00:17:47.329127
"""

from alembic import op
import sqlalchemy as sa
import migrate.db.base
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('name', name=op.f('uq_sources_name'))
    )
    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('moref', sa.Text(), nullable=True),
    sa.Column('datacenter', sa.String(length=255), nullable=True),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_clusters_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters'))
    )
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clusters_source_id'), ['source_id'], unique=False)

    op.create_table('datastores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('moref', sa.Text(), nullable=True),
    sa.Column('datacenter', sa.String(length=255), nullable=True),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_datastores_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_datastores'))
    )
    with op.batch_alter_table('datastores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datastores_source_id'), ['source_id'], unique=False)

    op.create_table('discovery_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('finished_at', migrate.db.base.UtcDateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('api_version', sa.String(length=32), nullable=True),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('provenance', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_discovery_runs_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discovery_runs'))
    )
    with op.batch_alter_table('discovery_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discovery_runs_source_id'), ['source_id'], unique=False)

    op.create_table('hosts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('moref', sa.Text(), nullable=True),
    sa.Column('datacenter', sa.String(length=255), nullable=True),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_hosts_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hosts'))
    )
    with op.batch_alter_table('hosts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hosts_source_id'), ['source_id'], unique=False)

    op.create_table('networks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('moref', sa.Text(), nullable=True),
    sa.Column('datacenter', sa.String(length=255), nullable=True),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_networks_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_networks'))
    )
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_networks_source_id'), ['source_id'], unique=False)

    op.create_table('vms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('moref', sa.Text(), nullable=True),
    sa.Column('instance_uuid', sa.String(length=64), nullable=True),
    sa.Column('bios_uuid', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('datacenter', sa.String(length=255), nullable=True),
    sa.Column('cluster', sa.String(length=255), nullable=True),
    sa.Column('folder', sa.Text(), nullable=True),
    sa.Column('power_state', sa.String(length=32), nullable=True),
    sa.Column('template', sa.Boolean(), nullable=False),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('first_seen_run_id', sa.Integer(), nullable=False),
    sa.Column('last_seen_run_id', sa.Integer(), nullable=False),
    sa.Column('removed_run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['first_seen_run_id'], ['discovery_runs.id'], name=op.f('fk_vms_first_seen_run_id_discovery_runs')),
    sa.ForeignKeyConstraint(['last_seen_run_id'], ['discovery_runs.id'], name=op.f('fk_vms_last_seen_run_id_discovery_runs')),
    sa.ForeignKeyConstraint(['removed_run_id'], ['discovery_runs.id'], name=op.f('fk_vms_removed_run_id_discovery_runs')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_vms_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vms'))
    )
    with op.batch_alter_table('vms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vms_source_id_instance_uuid'), ['source_id', 'instance_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_vms_source_id_moref'), ['source_id', 'moref'], unique=False)
        batch_op.create_index(batch_op.f('ix_vms_source_id_name'), ['source_id', 'name'], unique=False)

    op.create_table('vm_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('vm_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('vm_name', sa.String(length=255), nullable=False),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['discovery_runs.id'], name=op.f('fk_vm_changes_run_id_discovery_runs')),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], name=op.f('fk_vm_changes_vm_id_vms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vm_changes'))
    )
    with op.batch_alter_table('vm_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vm_changes_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('vm_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vm_changes_run_id'))

    op.drop_table('vm_changes')
    with op.batch_alter_table('vms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vms_source_id_name'))
        batch_op.drop_index(batch_op.f('ix_vms_source_id_moref'))
        batch_op.drop_index(batch_op.f('ix_vms_source_id_instance_uuid'))

    op.drop_table('vms')
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_networks_source_id'))

    op.drop_table('networks')
    with op.batch_alter_table('hosts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hosts_source_id'))

    op.drop_table('hosts')
    with op.batch_alter_table('discovery_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discovery_runs_source_id'))

    op.drop_table('discovery_runs')
    with op.batch_alter_table('datastores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_datastores_source_id'))

    op.drop_table('datastores')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clusters_source_id'))

    op.drop_table('clusters')
    op.drop_table('sources')
