"""Sources remember how to reach their vCenter: host, port, user, CA file or thumbprint, insecure (no password).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 15:00:00
"""

# Plain ADD/DROP COLUMN, not a batch: SQLite does both in place, while a batch copies the table and drops the
# original, which the foreign keys pointing at it refuse once rows exist.
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sources', sa.Column('vcenter_host', sa.String(255), nullable=True))
    op.add_column('sources', sa.Column('vcenter_port', sa.Integer(), nullable=True))
    op.add_column('sources', sa.Column('vcenter_user', sa.String(255), nullable=True))
    op.add_column('sources', sa.Column('ca_file', sa.Text(), nullable=True))
    op.add_column('sources', sa.Column('thumbprint', sa.String(128), nullable=True))
    op.add_column('sources', sa.Column('insecure', sa.Boolean(), server_default=sa.false(), nullable=False))
    _backfill_discovered_vcenters()


def _backfill_discovered_vcenters() -> None:
    """A source discovered through the API before this revision was named after its vCenter (host[:port])."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, name FROM sources WHERE id IN "
        "(SELECT source_id FROM discovery_runs WHERE method = 'vsphere-api')")).all()
    for source_id, name in rows:
        host, _, port = name.rpartition(":") if name.count(":") == 1 else (name, "", "")
        if port and not port.isdigit():
            host, port = name, ""
        bind.execute(sa.text("UPDATE sources SET vcenter_host = :host, vcenter_port = :port WHERE id = :id"),
                     {"host": host, "port": int(port or 443), "id": source_id})


def downgrade() -> None:
    for name in ('insecure', 'thumbprint', 'ca_file', 'vcenter_user', 'vcenter_port', 'vcenter_host'):
        op.drop_column('sources', name)
