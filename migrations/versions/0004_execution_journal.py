"""Execution journal: migration runs (attempts), VM migrations across attempts, their steps and locks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 00:56:49.743851
"""

from alembic import op
import sqlalchemy as sa
import migrate.db.base
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('migration_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('finished_at', migrate.db.base.UtcDateTime(), nullable=True),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migration_runs'))
    )
    op.create_table('vm_migrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('vm_id', sa.Integer(), nullable=False),
    sa.Column('vm_name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('current_step', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('updated_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('state', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], name=op.f('fk_vm_migrations_vm_id_vms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vm_migrations')),
    sa.UniqueConstraint('wave', 'vm_id', name=op.f('uq_vm_migrations_wave_vm_id'))
    )
    op.create_table('step_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vm_migration_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('item', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('finished_at', migrate.db.base.UtcDateTime(), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['migration_runs.id'], name=op.f('fk_step_runs_run_id_migration_runs')),
    sa.ForeignKeyConstraint(['vm_migration_id'], ['vm_migrations.id'], name=op.f('fk_step_runs_vm_migration_id_vm_migrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_runs'))
    )
    with op.batch_alter_table('step_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_runs_vm_migration_id_step_item'), ['vm_migration_id', 'step', 'item'], unique=False)

    op.create_table('vm_locks',
    sa.Column('vm_migration_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['vm_migration_id'], ['vm_migrations.id'], name=op.f('fk_vm_locks_vm_migration_id_vm_migrations')),
    sa.PrimaryKeyConstraint('vm_migration_id', name=op.f('pk_vm_locks'))
    )


def downgrade() -> None:
    op.drop_table('vm_locks')
    with op.batch_alter_table('step_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_runs_vm_migration_id_step_item'))

    op.drop_table('step_runs')
    op.drop_table('vm_migrations')
    op.drop_table('migration_runs')
