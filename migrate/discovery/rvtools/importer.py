"""`import_rvtools`: an RVTools export into the inventory database, as one discovery run."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from migrate.discovery.rvtools.reader import Progress, Warn, read_rvtools
from migrate.discovery.save import save_discovery
from migrate.inventory.store import ChangeSummary

# An export knows no instance UUID or VM ID for some VMs (trimmed tabs, old versions); the BIOS UUID, the
# inventory path and the name follow, each only where it is unique (migrate/inventory/matching.py).
RVTOOLS_MATCH_KEYS = ("instance_uuid", "moref", "bios_uuid", "path", "name")


def import_rvtools(session: Session, path: Path | str, *, progress: Progress | None = None,
                   warn: Warn | None = None) -> ChangeSummary:
    """Import an RVTools export as a discovery run of the vCenter it came from, and return what changed.

    The whole export is read before the database is touched, so a bad file (`InputFileError`) changes
    nothing. If saving fails, the run is marked failed. `warn` hears of optional tabs read as missing. The
    caller commits.
    """
    export = read_rvtools(path, progress=progress, warn=warn)
    return save_discovery(session, export.inventory, method="rvtools", provenance=export.provenance,
                          label=Path(path).name, retry="import again", match_keys=RVTOOLS_MATCH_KEYS)
