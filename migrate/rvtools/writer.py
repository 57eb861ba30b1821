"""`write_rvtools_export`: an inventory as an .xlsx in the layout RVTools 4.7 writes.

Used to build the sample estate's export and the benchmark's 10,000-VM file, and to test the
reader by round trip. Written with openpyxl's streaming write-only mode.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell

from migrate.inventory.model import Inventory, Vm
from migrate.rvtools import estate_rows, export_rows
from migrate.rvtools.layout import LAYOUT

_PER_VM: dict[str, Callable[[Vm, Inventory], Any]] = {
    "vInfo": export_rows.vinfo, "vCPU": export_rows.vcpu, "vMemory": export_rows.vmemory,
    "vDisk": export_rows.vdisk, "vPartition": export_rows.vpartition, "vNetwork": export_rows.vnetwork,
    "vCD": export_rows.vcd, "vUSB": export_rows.vusb, "vSnapshot": export_rows.vsnapshot, "vTools": export_rows.vtools,
}
_ESTATE: dict[str, Callable[[Inventory], Iterable[dict[str, Any]]]] = {
    "vSource": estate_rows.vsource, "vCluster": estate_rows.vcluster, "vHost": estate_rows.vhost,
    "vSwitch": estate_rows.vswitch, "vPort": estate_rows.vport, "dvSwitch": estate_rows.dvswitch,
    "dvPort": estate_rows.dvport, "vDatastore": estate_rows.vdatastore, "vMetaData": estate_rows.vmetadata,
}


def write_rvtools_export(inventory: Inventory, path: Path | str) -> Path:
    """Write `inventory` as an RVTools 4.x workbook at `path`, replacing it only once complete."""
    path = Path(path)
    attributes = sorted({name for vm in inventory.vms for name in vm.custom_attributes}, key=str.casefold)
    workbook = openpyxl.Workbook(write_only=True)
    for tab in LAYOUT:
        columns = _columns(tab, attributes)
        sheet = workbook.create_sheet(tab)
        sheet.append(list(columns))
        for row in _rows(tab, inventory):
            sheet.append([_cell(sheet, row.get(column)) for column in columns])
    handle, scratch = tempfile.mkstemp(prefix=".rvtools-", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        workbook.save(scratch)
        os.replace(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return path


def _columns(tab: str, attributes: list[str]) -> tuple[str, ...]:
    """The tab's columns, with custom attributes right after `Annotation` as RVTools places them."""
    columns = LAYOUT[tab]
    if "Annotation" not in columns or not attributes:
        return columns
    at = columns.index("Annotation") + 1
    return columns[:at] + tuple(attributes) + columns[at:]


def _rows(tab: str, inventory: Inventory) -> Iterator[dict[str, Any]]:
    if tab in _ESTATE:
        yield from _ESTATE[tab](inventory)
        return
    for vm in inventory.vms:
        produced = _PER_VM[tab](vm, inventory)
        if isinstance(produced, dict):
            yield produced
        else:
            yield from produced


def _cell(sheet, value: Any) -> Any:
    """Text that starts with `=` stays text: VM names and annotations are typed by vCenter users."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
