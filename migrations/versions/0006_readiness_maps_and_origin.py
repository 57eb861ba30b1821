"""Readiness apart from the maps, and where the facts came from: a result's mapping-file gaps, a run's source.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 14:30:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


# Plain ADD/DROP COLUMN, not a batch: SQLite (3.35 and later) does both in place, while a batch would copy
# readiness_runs and drop the original, which its results' foreign key refuses once results exist.
def upgrade() -> None:
    op.add_column('readiness_results', sa.Column('maps', _JSON, server_default=sa.text("'[]'"), nullable=False))
    op.add_column('readiness_runs', sa.Column('origin', _JSON, server_default=sa.text("'{}'"), nullable=False))


def downgrade() -> None:
    op.drop_column('readiness_runs', 'origin')
    op.drop_column('readiness_results', 'maps')
