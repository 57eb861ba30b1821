"""Copy one disk (one item per disk): allocate its volume, read its path, run qemu-img on the node.

The transport is chosen per source datastore: a datastore mounted on the node (`--datastore-path`) is read as
a file; any other through the vCenter's datastore file API over HTTPS, with the session cookie kept off the
node's command lines. A volume that already exists was allocated by an interrupted attempt: the copy is done
again without `--target-is-zero`, after stopping any qemu-img of that attempt still writing it.

Before the copy, `qemu-img map` of the source (through the same transport) gives the bytes the copy moves: its
allocated data, journaled as `moved_bytes` beside `bytes` (the virtual size), which `migrate status` and the
measured throughput of later plans read.

An HTTPS copy that failed while the vCenter session ended (an idle timeout, or an administrator terminated it:
the datastore file API then refuses the cookie) is done again once, as a retry, with the cookie of a new login.
"""

from __future__ import annotations

import logging

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.proxmox.target import privileges_on
from migrate import failpoints
from migrate.errors import DiskCopyError, TargetApiError
from migrate.execution.copy_progress import CopyProgress
from migrate.execution.disk_copy import CopyOutcome, DiskCopyJob, copy_disk, describe, source_allocation
from migrate.execution.itinerary import Services, Stage, Step, StepContext, Undo, UndoContext
from migrate.execution.qemu_img import Target, target_is_zero_safe
from migrate.execution.steps.common import disk_of, disk_slots, target
from migrate.execution.steps import final_pass
from migrate.execution.steps.source_disk import connection_for, disk_job, transport
from migrate.planning.model import PlannedDisk

log = logging.getLogger(__name__)


def run(ctx: StepContext) -> dict:
    """Copy the disk `ctx.item` whole; for a VM a warm copy synced, only the areas changed since its last pass
    (the cutover's final pass, with the source off: `final_pass`)."""
    if final_pass.applies(ctx):
        return final_pass.disk_detail(ctx, copy_whole)
    return copy_whole(ctx)


def copy_whole(ctx: StepContext) -> dict:
    """Allocate the disk's volume (or find it) and copy the whole disk into it; the journal's detail."""
    services, slot = ctx.services, ctx.item
    disk = disk_of(ctx, slot)
    node, vmid = target(ctx)
    fmt = disk.format or "raw"
    filename = pvevm.volume_name(services.pve, node, disk.storage, vmid, slot, fmt)
    existed = pvevm.find_volume(services.pve, node, disk.storage, vmid, filename) is not None
    volid = pvevm.allocate_volume(services.pve, node, disk.storage, vmid, slot, disk.size_bytes, fmt)
    zeroed = not existed and target_is_zero_safe(pvevm.storage_type(services.pve, node, disk.storage))
    volume = Target(pvevm.volume_path(services.pve, node, volid), fmt, zeroed=zeroed)
    conn = connection_for(ctx, disk)
    job = disk_job(ctx, disk, volume, conn)
    job = job.retry() if existed else job
    job, (outcome, moved) = _copy_in_a_live_session(ctx, node, disk, job, conn)
    ctx.state.volumes[slot] = volid
    speed = moved / outcome.seconds if outcome.seconds and moved is not None else None
    # "bytes" is the disk's virtual size; "moved_bytes" what the copy read: the source's allocated data.
    return {"volid": volid, "bytes": outcome.size, "moved_bytes": moved, "seconds": round(outcome.seconds, 3),
            "bytes_per_second": round(speed) if speed else None, "transport": transport(job), "retried": job.resumed,
            "target_is_zero": job.target.zeroed, "rate_limit_bytes_per_second": job.rate}


def _copy_in_a_live_session(ctx: StepContext, node: str, disk: PlannedDisk, job: DiskCopyJob,
                            conn) -> tuple[DiskCopyJob, tuple[CopyOutcome, int | None]]:
    """Copy; if an HTTPS copy failed and its session has ended, log in again and copy again once, as a retry."""
    try:
        return job, _copy(ctx, node, job)
    except DiskCopyError:
        if conn is None or conn.alive():
            raise
    log.warning("%s: the vCenter session ended while copying %s; logging in again to copy it again",
                ctx.vm_name, describe(job.source))
    job = disk_job(ctx, disk, job.target, ctx.services.renew_vsphere(conn)).retry()
    return job, _copy(ctx, node, job)


def _copy(ctx: StepContext, node: str, job: DiskCopyJob) -> tuple[CopyOutcome, int | None]:
    """The copy's outcome and the bytes it moved (the source's allocated data; None when qemu-img cannot tell)."""
    with ctx.services.shell(node) as shell:
        moved = source_allocation(shell, job)
        # Progress in bytes moved: qemu-img's fraction applied to the data to read, not to the virtual size.
        journaled = CopyProgress(job.size if moved is None else moved, ctx.save_progress)

        def on_progress(fraction: float) -> None:
            journaled(fraction)  # before the failpoint in _progress: the crash tests read it after the kill
            _progress(ctx, fraction)

        outcome = copy_disk(shell, job, on_progress=on_progress, stall_timeout=ctx.services.options.stall_timeout)
    return outcome, moved


def _progress(ctx: StepContext, fraction: float) -> None:
    ctx.progress(fraction)
    if fraction >= 0.5:
        failpoints.reached("mid:copy_disk")  # the crash tests kill the run half-way through a copy


def undo(ctx: UndoContext) -> None:
    """Delete the journaled volumes that destroying the target VM did not take (it was gone, or never had them).

    One that cannot be deleted is left, named, and the source comes back all the same.
    """
    node = ctx.state.target.node if ctx.state.target else None
    for volid in ctx.state.volumes.values():
        if node and pvevm.volume_exists(ctx.services.pve, node, volid):
            try:
                _delete_left_volume(ctx.services, node, volid)
            except TargetApiError as exc:
                ctx.left.append(str(exc))
                continue
            ctx.undone.append(f"deleted volume {volid}")


def _delete_left_volume(services: Services, node: str, volid: str) -> None:
    """Delete a journaled volume that destroying the VM did not take.

    Only this needs `Datastore.Allocate`, which the toolkit's role leaves out (it lets a token delete any volume
    of the storage): without it, the volume is named for an administrator to remove.
    """
    storage = volid.split(":", 1)[0]
    if "Datastore.Allocate" not in privileges_on(services.pve, f"/storage/{storage}"):
        raise TargetApiError(f"volume {volid} is still on storage {storage} and the API token lacks Datastore.Allocate "
                             f"on /storage/{storage} to delete it (the role leaves it out): run `pvesm free {volid}` "
                             "on a node as an administrator, then roll back again")
    pvevm.delete_volume(services.pve, node, volid)


STEP = Step("copy_disk", run, items=disk_slots, undo=Undo(undo, Stage.LEFT_ON_TARGET))
