"""Where a planned disk is read from: the node's mount of its datastore, or the vCenter's datastore file API.

Shared by `copy_disk` (which copies it) and `verify` (which, with --verify, compares the copy with it).
"""

from __future__ import annotations

import posixpath

from migrate.clients.vsphere import power
from migrate.execution.disk_copy import DiskCopyJob
from migrate.execution.itinerary import StepContext
from migrate.execution.qemu_img import HttpsFile, NodePath, Source, Target
from migrate.execution.vmdk_descriptor import https_read
from migrate.planning.model import PlannedDisk


def mount_of(ctx: StepContext, disk: PlannedDisk) -> str | None:
    """The node's mount path of the disk's datastore, if it is read as a file: `--datastore-path` of the run, else
    the `node_path` the mapping file gave the datastore when the wave was planned."""
    datastore = disk.source_file.partition("] ")[0].lstrip("[")
    return ctx.services.options.datastore_paths.get(datastore) or disk.node_path


def disk_job(ctx: StepContext, disk: PlannedDisk, volume: Target, conn) -> DiskCopyJob:
    """`disk` read into (or compared with) `volume`: from the node's mount when `conn` is None, else over HTTPS
    with `conn`'s session cookie (a descriptor with a flat extent is read through the extent, raw), at the rate
    the run's bandwidth limits give a copy on the VM's node."""
    source, cookie = source_of(ctx, disk, conn)
    node = ctx.state.target.node if ctx.state.target else ctx.vm.node
    return DiskCopyJob(source, volume, disk.size_bytes, cookie=cookie,
                       rate=ctx.services.options.copy_rates.get(node))


def source_of(ctx: StepContext, disk: PlannedDisk, conn) -> tuple[Source, str | None]:
    """Where the node reads `disk`, and the session cookie an HTTPS read needs (None from the node's mount)."""
    datastore, _, relative = disk.source_file.partition("] ")
    datastore = datastore.lstrip("[")
    if conn is None:
        return NodePath(posixpath.join(mount_of(ctx, disk), relative)), None
    url = power.datastore_file_url(conn, ctx.source.datacenter, disk.source_file)
    read = https_read(relative, power.read_head(conn, url))
    if read.flat:
        url = power.datastore_file_url(conn, ctx.source.datacenter, f"[{datastore}] {read.path}")
    return HttpsFile(url, flat=read.flat, verify_tls=not ctx.services.options.insecure_source), power.session_cookie(conn)


def connection_for(ctx: StepContext, disk: PlannedDisk):
    """The vCenter connection an HTTPS read of `disk` needs, or None when the node reads it from its mount."""
    return None if mount_of(ctx, disk) else ctx.services.vsphere


def transport(job: DiskCopyJob) -> str:
    """How the job reads its source, as journaled: `node-path` (the node's mount) or `https`."""
    return "node-path" if isinstance(job.source, NodePath) else "https"
