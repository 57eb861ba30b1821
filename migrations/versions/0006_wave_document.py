"""The wave document: per VM of a wave, the customer's Proxmox name, node, cutover order, owner and notes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 14:20:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('proxmox_name', sa.String(255)),
    ('node', sa.String(255)),
    ('cutover_order', sa.Integer()),
    ('owner', sa.String(255)),
    ('notes', sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table('wave_vms') as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('wave_vms') as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
