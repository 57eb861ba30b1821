"""`import_rvtools`: an RVTools export into the inventory database, as one discovery run."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from migrate.errors import DatabaseError
from migrate.inventory.store import ChangeSummary, fail_run, save_inventory, start_run
from migrate.rvtools.reader import Progress, read_rvtools

# An export knows no instance UUID for some VMs (trimmed tabs, old versions); the VM UUID and the name follow.
RVTOOLS_MATCH_KEYS = ("instance_uuid", "bios_uuid", "name")


def import_rvtools(session: Session, path: Path | str, *, progress: Progress | None = None) -> ChangeSummary:
    """Import an RVTools export as a discovery run of the vCenter it came from, and return what changed.

    The whole export is read before the database is touched, so a bad file (`InputFileError`) changes
    nothing. If saving fails, the run is marked failed. The caller commits.
    """
    export = read_rvtools(path, progress=progress)
    run = start_run(session, export.inventory.source, method="rvtools", provenance=export.provenance)
    run_id = run.id
    try:
        with session.begin_nested():
            return save_inventory(session, run_id, export.inventory, match_keys=RVTOOLS_MATCH_KEYS)
    except SQLAlchemyError as exc:
        fail_run(session, run_id, f"saving the inventory failed: {exc.__class__.__name__}: {exc}")
        raise DatabaseError(
            f"{Path(path).name}: the inventory could not be saved ({exc.__class__.__name__}): "
            "check the database, then import again"
        ) from exc
