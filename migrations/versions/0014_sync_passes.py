"""The passes of a warm copy (`migrate sync`): per VM and pass, its snapshot, change ids, extents and bytes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 18:40:00
"""

from alembic import op
import sqlalchemy as sa
import migrate.db.base
from sqlalchemy.dialects import postgresql

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vm_migration_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('snapshot_moref', sa.String(length=64), nullable=True),
    sa.Column('snapshot_name', sa.String(length=255), nullable=True),
    sa.Column('change_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('disks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('extents', sa.Integer(), nullable=False),
    sa.Column('bytes_read', sa.BigInteger(), nullable=False),
    sa.Column('bytes_written', sa.BigInteger(), nullable=False),
    sa.Column('started_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('finished_at', migrate.db.base.UtcDateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['vm_migration_id'], ['vm_migrations.id'],
                            name=op.f('fk_sync_passes_vm_migration_id_vm_migrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_passes')),
    sa.UniqueConstraint('vm_migration_id', 'number', name=op.f('uq_sync_passes_vm_migration_id_number'))
    )


def downgrade() -> None:
    op.drop_table('sync_passes')
