"""The copy speed per VM a target's plans assume, set by the consultant (`migrate target set --throughput-mib-s`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 14:05:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN: a batch would copy `targets` and drop it, which plans and snapshots point at.
def upgrade() -> None:
    op.add_column('targets', sa.Column('throughput_mib_s', sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column('targets', 'throughput_mib_s')
