"""Readiness results: one run per assessment with its rules version, one row per VM with verdict and findings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 00:28:48.023159
"""

from alembic import op
import sqlalchemy as sa
import migrate.db.base
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('readiness_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('rules_version', sa.Integer(), nullable=False),
    sa.Column('assessed_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_readiness_runs_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_runs'))
    )
    with op.batch_alter_table('readiness_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readiness_runs_source_id'), ['source_id'], unique=False)

    op.create_table('readiness_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('vm_key', sa.String(length=255), nullable=False),
    sa.Column('vm_name', sa.String(length=255), nullable=False),
    sa.Column('verdict', sa.String(length=32), nullable=False),
    sa.Column('proxmox_name', sa.String(length=255), nullable=False),
    sa.Column('findings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('unknowns', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('config', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['readiness_runs.id'], name=op.f('fk_readiness_results_run_id_readiness_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_results'))
    )
    with op.batch_alter_table('readiness_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readiness_results_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('readiness_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readiness_results_run_id'))

    op.drop_table('readiness_results')
    with op.batch_alter_table('readiness_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readiness_runs_source_id'))

    op.drop_table('readiness_runs')
