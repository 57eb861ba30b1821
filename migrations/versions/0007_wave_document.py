"""The wave document: per VM of a wave, the customer's Proxmox name, node, cutover order, owner and notes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 14:20:00
"""

# Plain ADD/DROP COLUMN, not a batch: SQLite does both in place, while a batch copies the table and drops the
# original, which the foreign keys pointing at it refuse once rows exist.
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
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
    for name, kind in _COLUMNS:
        op.add_column('wave_vms', sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(_COLUMNS):
        op.drop_column('wave_vms', name)
