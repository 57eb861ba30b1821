"""How to reach the nodes' SSH lives with the target: per-node addresses and the SSH port (`target set`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 15:30:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('targets') as batch:
        batch.add_column(sa.Column('node_addresses', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                                            'postgresql'), nullable=True))
        batch.add_column(sa.Column('ssh_port', sa.Integer(), server_default='22', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('targets') as batch:
        batch.drop_column('ssh_port')
        batch.drop_column('node_addresses')
