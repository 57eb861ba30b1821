"""Copy one disk (one item per disk): allocate its volume, read its path, run qemu-img on the node.

The transport is chosen per source datastore: a datastore mounted on the node (`--datastore-path`) is read as
a file; any other through the vCenter's datastore file API over HTTPS, with the session cookie kept off the
node's command lines. A volume that already exists was allocated by an interrupted attempt: the copy is done
again without `--target-is-zero`, after stopping any qemu-img of that attempt still writing it.
"""

from __future__ import annotations

import posixpath

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere import power
from migrate.execution import failpoints
from migrate.execution.disk_copy import DiskCopyJob, copy_disk
from migrate.execution.itinerary import StepContext
from migrate.execution.qemu_img import HttpsFile, NodePath, Target, target_is_zero_safe
from migrate.execution.steps.common import disk_of, source, target
from migrate.execution.vmdk_descriptor import https_read


def run(ctx: StepContext) -> dict:
    services, slot = ctx.services, ctx.item
    disk = disk_of(ctx, slot)
    node, vmid = target(ctx)
    fmt = disk.get("format") or "raw"
    filename = pvevm.volume_name(services.pve, node, disk["storage"], vmid, slot, fmt)
    existed = pvevm.find_volume(services.pve, node, disk["storage"], vmid, filename) is not None
    volid = pvevm.allocate_volume(services.pve, node, disk["storage"], vmid, slot, int(disk["size_bytes"]), fmt)
    zeroed = not existed and target_is_zero_safe(pvevm.storage_type(services.pve, node, disk["storage"]))
    volume = Target(pvevm.volume_path(services.pve, node, volid), fmt, zeroed=zeroed)
    job = _job(ctx, disk, volume)
    job = job.retry() if existed else job
    with services.shell(node) as shell:
        outcome = copy_disk(shell, job, on_progress=lambda fraction: _progress(ctx, fraction),
                            stall_timeout=services.options.stall_timeout)
    # A new dict, never an update in place: the journal saves the state only when it compares unequal.
    ctx.state["volumes"] = {**ctx.state.get("volumes", {}), slot: volid}
    speed = outcome.size / outcome.seconds if outcome.seconds else None
    return {"volid": volid, "bytes": outcome.size, "seconds": round(outcome.seconds, 3),
            "bytes_per_second": round(speed) if speed else None, "transport": _transport(job), "retried": existed,
            "target_is_zero": job.target.zeroed}


def _progress(ctx: StepContext, fraction: float) -> None:
    ctx.progress(fraction)
    if fraction >= 0.5:
        failpoints.reached("mid:copy_disk")  # the crash tests kill the run half-way through a copy


def _job(ctx: StepContext, disk: dict, volume: Target) -> DiskCopyJob:
    options = ctx.services.options
    datastore, _, relative = disk["source_file"].partition("] ")
    datastore = datastore.lstrip("[")
    mount = options.datastore_paths.get(datastore)
    size = int(disk["size_bytes"])
    if mount:
        return DiskCopyJob(NodePath(posixpath.join(mount, relative)), volume, size)
    conn = ctx.services.vsphere
    url = power.datastore_file_url(conn, source(ctx)["datacenter"], disk["source_file"])
    read = https_read(relative, power.read_head(conn, url))
    if read.flat:
        url = power.datastore_file_url(conn, source(ctx)["datacenter"], f"[{datastore}] {read.path}")
    https = HttpsFile(url, flat=read.flat, verify_tls=not options.insecure_source)
    return DiskCopyJob(https, volume, size, cookie=power.session_cookie(conn))


def _transport(job: DiskCopyJob) -> str:
    return "node-path" if isinstance(job.source, NodePath) else "https"
