"""The copy speed per VM a target's plans assume, set by the consultant (`migrate target set --throughput-mib-s`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 14:05:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('targets') as batch:
        batch.add_column(sa.Column('throughput_mib_s', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('targets') as batch:
        batch.drop_column('throughput_mib_s')
