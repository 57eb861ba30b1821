"""Sources remember how to reach their vCenter: host, port, user, CA file or thumbprint, insecure (no password).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 15:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sources') as batch:
        batch.add_column(sa.Column('vcenter_host', sa.String(255), nullable=True))
        batch.add_column(sa.Column('vcenter_port', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('vcenter_user', sa.String(255), nullable=True))
        batch.add_column(sa.Column('ca_file', sa.Text(), nullable=True))
        batch.add_column(sa.Column('thumbprint', sa.String(128), nullable=True))
        batch.add_column(sa.Column('insecure', sa.Boolean(), server_default=sa.false(), nullable=False))
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
    with op.batch_alter_table('sources') as batch:
        for name in ('insecure', 'thumbprint', 'ca_file', 'vcenter_user', 'vcenter_port', 'vcenter_host'):
            batch.drop_column(name)
