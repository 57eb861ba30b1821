"""The final pass of a synced VM's cutover: `copy_disk`, once the source is off, copies into the volumes a warm copy
(`migrate sync`) filled only the areas changed since its newest done pass, instead of the disks whole.

- It applies to a VM with a done sync pass and a volume for each disk in its state (a VM rolled back and migrated
  again with `--again` has none: its disks are copied whole).
- The pass is a row of `sync_passes` marked `final`, journaled before anything is read. One found `started` was
  killed: it is marked failed, and the next final pass asks again from the newest done pass. With the source off,
  the areas it copies again hold the same bytes, so copying them twice is harmless.
- It takes no snapshot: with the source powered off its disks no longer change, and vSphere lists the areas changed
  up to now (`QueryChangedDiskAreas` without a snapshot) for a powered-off VM only. The sync passes' snapshots a
  killed sync left are removed first, so none of the toolkit's is left after a cutover.
- A disk whose change id is unknown (tracking was off then) or no longer valid is copied whole, by `copy_disk`'s copy.
- The pass runs once for all the disks, at the first disk's `copy_disk`; each disk's `copy_disk` journals its part
  (bytes read, areas), so a run killed between two disks runs no pass again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from migrate import failpoints
from migrate.clients.vsphere import changed_blocks as cbt
from migrate.db.execution_models import SyncPass
from migrate.errors import ChangeIdInvalidError, MigrateError
from migrate.execution import journal
from migrate.execution.itinerary import StepContext
from migrate.execution.steps.common import copied_disks, disk_of
from migrate.execution.steps.delta import copy_areas, disk_keys, remove_toolkit_snapshots
from migrate.planning.model import PlannedDisk

log = logging.getLogger(__name__)

WholeCopy = Callable[[StepContext], dict[str, Any]]  # copy_disk's copy of the disk `ctx.item` whole


def applies(ctx: StepContext) -> bool:
    """Whether the VM's disks are synced volumes to bring up to date, rather than disks to copy whole."""
    if ctx.session is None or ctx.state.target is None:
        return False
    if any(disk.slot not in ctx.state.volumes for disk in copied_disks(ctx)):
        return False
    return journal.last_done_pass(ctx.session, ctx.vm_migration_id) is not None


def disk_detail(ctx: StepContext, copy_whole: WholeCopy) -> dict[str, Any]:
    """The final pass (run now if it is not done yet), as the journal of the disk `ctx.item`'s copy."""
    slot = ctx.item
    row = final_pass(ctx, copy_whole)
    copied, disk = row.disks[slot], disk_of(ctx, slot)
    seconds = copied.get("seconds") or 0
    return {"volid": ctx.state.volumes[slot], "bytes": disk.size_bytes, "moved_bytes": copied["bytes_read"],
            "seconds": seconds, "bytes_per_second": round(copied["bytes_read"] / seconds) if seconds else None,
            "transport": copied.get("transport"), "final_pass": row.number, "areas": copied["extents"],
            "whole": copied["whole"]}


def final_pass(ctx: StepContext, copy_whole: WholeCopy) -> SyncPass:
    """The VM's done final pass, run first if there is none."""
    session = ctx.session
    newest = journal.last_done_pass(session, ctx.vm_migration_id)
    if newest.final:
        return newest
    journal.sync_passes_killed(session, ctx.vm_migration_id)
    orphans = remove_toolkit_snapshots(ctx)
    row = journal.sync_pass_started(session, ctx.vm_migration_id, final=True)
    log.info("%s: final pass %d, the areas changed since pass %d%s", ctx.vm_name, row.number, newest.number,
             f" (removed {', '.join(orphans)})" if orphans else "")
    item = ctx.item
    try:
        # The base VMDKs: the VM has no snapshot now.
        keys = disk_keys(ctx, cbt.disk_files(ctx.services.vsphere, ctx.source.moref), f"source VM {ctx.vm_name}")
        for disk in copied_disks(ctx):
            _bring_up_to_date(session, ctx, row, disk, keys.get(disk.slot), newest, copy_whole)
            failpoints.reached("mid:final_pass")  # the crash tests kill the cutover between its disks
    except MigrateError as exc:
        journal.sync_pass_ended(session, row, str(exc))
        raise
    finally:
        ctx.item = item
    journal.sync_pass_ended(session, row)
    return row


def _bring_up_to_date(session: Session, ctx: StepContext, row: SyncPass, disk: PlannedDisk, key: int | None,
                      newest: SyncPass, copy_whole: WholeCopy) -> None:
    """Copy the disk's areas changed since the newest pass; the disk whole when its change id is unknown or no
    longer valid."""
    since = newest.change_ids.get(disk.slot)
    if since is not None and key is not None:
        try:
            areas = cbt.changed_areas(ctx.services.vsphere, ctx.source.moref, None, key, disk.size_bytes, since)
        except ChangeIdInvalidError as exc:
            log.warning("%s: %s", ctx.vm_name, exc)
        else:
            copy_areas(session, ctx, row, disk, areas)
            return
    ctx.item = disk.slot
    detail = copy_whole(ctx)
    read = detail["moved_bytes"] if detail["moved_bytes"] is not None else detail["bytes"]
    journal.sync_disk_copied(session, row, disk.slot, 1, read, read,
                             {"whole": True, "seconds": detail["seconds"], "volid": detail["volid"],
                              "transport": detail["transport"]})
