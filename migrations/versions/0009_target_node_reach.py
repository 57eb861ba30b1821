"""How to reach the nodes' SSH lives with the target: per-node addresses and the SSH port (`target set`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 15:30:00
"""

# Plain ADD/DROP COLUMN, not a batch: SQLite does both in place, while a batch copies the table and drops the
# original, which the foreign keys pointing at it refuse once rows exist.
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
    op.add_column('targets', sa.Column('node_addresses', json, nullable=True))
    op.add_column('targets', sa.Column('ssh_port', sa.Integer(), server_default='22', nullable=False))


def downgrade() -> None:
    op.drop_column('targets', 'ssh_port')
    op.drop_column('targets', 'node_addresses')
