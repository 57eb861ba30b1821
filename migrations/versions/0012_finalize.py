"""The changes `migrate finalize` made on the target (HA resources, HA rules, backup jobs, first backups), journaled
one by one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 17:40:00
"""

from alembic import op
import sqlalchemy as sa
import migrate.db.base
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('finalize_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.String(length=255), nullable=False),
    sa.Column('vms', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('finished_at', migrate.db.base.UtcDateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['migration_runs.id'], name=op.f('fk_finalize_changes_run_id_migration_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finalize_changes'))
    )
    with op.batch_alter_table('finalize_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finalize_changes_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('finalize_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finalize_changes_run_id'))
    op.drop_table('finalize_changes')
