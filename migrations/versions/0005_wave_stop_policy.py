"""The stop policy of a wave: the guest shutdown timeout and whether a hard power off is allowed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 03:40:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('waves') as batch:
        batch.add_column(sa.Column('shutdown_timeout', sa.Integer(), server_default='300', nullable=False))
        batch.add_column(sa.Column('allow_power_off', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('waves') as batch:
        batch.drop_column('allow_power_off')
        batch.drop_column('shutdown_timeout')
