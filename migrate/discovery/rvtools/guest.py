"""vSnapshot and vTools: a VM's snapshots and the state of its VMware Tools."""

from __future__ import annotations

from migrate.inventory.model import Snapshot
from migrate.discovery.rvtools.table import Table
from migrate.discovery.rvtools.values import unescape_name, vmx_version
from migrate.discovery.rvtools.vms import VmIndex


def apply_vsnapshot(table: Table, index: VmIndex) -> None:
    """Snapshots with their vSphere-escaped names (`24%2f1%2f2024`) unescaped; RVTools does not give parents."""
    for row, vm in index.rows(table):
        name = unescape_name(row.text("Name"))
        if name is None:
            continue
        vm.snapshots.append(Snapshot(
            name=name,
            created=row.timestamp("Date / time"),
            description=row.text("Description"),
            quiesced=row.bool("Quiesced"),
            power_state=row.text("State"),
        ))


def apply_vtools(table: Table, index: VmIndex) -> None:
    """Tools status (toolsOk, toolsOld, toolsNotRunning, toolsNotInstalled) and version."""
    for row, vm in index.rows(table):
        vm.tools_status = row.text("Tools")
        vm.tools_version = row.text("Tools Version")
        vm.hw_version = vm.hw_version or vmx_version(row.text("VM Version"))
