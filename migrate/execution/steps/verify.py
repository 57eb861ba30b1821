"""Verify each copied disk: the volume holds at least the source's size; with --verify, qemu-img compare.

The compare reads the source again the way the copy read it: from the node's mount, or over HTTPS from the
vCenter's datastore file API (a second full read of the disk over the network, which is what --verify asks for).
"""

from __future__ import annotations

import json

from migrate.clients.proxmox import vm as pvevm
from migrate.errors import DiskCopyError
from migrate.execution.disk_copy import compare_disk
from migrate.execution.itinerary import Step, StepContext
from migrate.execution.qemu_img import Target, info_argv
from migrate.execution.steps.common import copied_disks, target
from migrate.execution.steps.source_disk import connection_for, disk_job
from migrate.planning.model import PlannedDisk


def run(ctx: StepContext) -> dict:
    services = ctx.services
    node, _ = target(ctx)
    checked = {}
    with services.shell(node) as shell:
        for disk in copied_disks(ctx):
            volid = ctx.state.volumes[disk.slot]
            volume = Target(pvevm.volume_path(services.pve, node, volid), disk.format or "raw")
            size = _size(shell, volume)
            if size < disk.size_bytes:
                raise DiskCopyError(f"volume {volid} holds {size} bytes, the source disk {disk.slot} "
                                    f"{disk.size_bytes}: roll back this VM and run again")
            if services.options.verify:
                _compare(ctx, shell, disk, volume)
            checked[disk.slot] = {"size": size, "compared": services.options.verify}
    return {"disks": checked}


def _size(shell, volume: Target) -> int:
    result = shell.run(info_argv(volume))
    if result.rc != 0:
        raise DiskCopyError(f"cannot read volume {volume.path} on node {shell.address.label}: {result.stderr.strip()}")
    return int(json.loads(result.stdout)["virtual-size"])


def _compare(ctx: StepContext, shell, disk: PlannedDisk, volume: Target) -> None:
    try:
        compare_disk(shell, disk_job(ctx, disk, volume, connection_for(ctx, disk)))
    except DiskCopyError as exc:
        raise DiskCopyError(f"disk {disk.slot}: {exc}; roll back this VM and run again") from exc


STEP = Step("verify", run)
