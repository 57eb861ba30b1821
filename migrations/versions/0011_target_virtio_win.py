"""Where the virtio-win ISO lies on a target's nodes (`migrate target set --virtio-win PATH`): Windows guests are
converted with its drivers and planned on VirtIO.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 17:45:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN: a batch would copy `targets` and drop it, which plans and snapshots point at.
def upgrade() -> None:
    op.add_column('targets', sa.Column('virtio_win', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('targets', 'virtio_win')
