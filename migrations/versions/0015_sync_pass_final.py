"""A sync pass marked final: the delta pass a cutover runs with the source off.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 19:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sync_passes') as batch:
        batch.add_column(sa.Column('final', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sync_passes') as batch:
        batch.drop_column('final')
