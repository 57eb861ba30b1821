"""Rehearsals (`migrate test`): per VM, the test VM made from a snapshot of its running source, and what it proved.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 18:40:00
"""

from alembic import op
import sqlalchemy as sa
import migrate.db.base
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rehearsals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('vm_id', sa.Integer(), nullable=False),
    sa.Column('vm_name', sa.String(length=255), nullable=False),
    sa.Column('node', sa.String(length=255), nullable=True),
    sa.Column('vmid', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cleaned', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('started_at', migrate.db.base.UtcDateTime(), nullable=False),
    sa.Column('finished_at', migrate.db.base.UtcDateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], name=op.f('fk_rehearsals_vm_id_vms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rehearsals'))
    )
    with op.batch_alter_table('rehearsals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rehearsals_vm_id'), ['vm_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rehearsals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rehearsals_vm_id'))
    op.drop_table('rehearsals')
