"""`write_rvtools_export`: an inventory as an .xlsx in the layout RVTools 4.7 writes.

Used to build the sample estate's export and the benchmark's 10,000-VM file, and to test the
reader by round trip. Written with XlsxWriter, which, like RVTools, stores text in a shared-strings
table (openpyxl can only write inline strings, which make a file slower to read than a real one),
and which can be told never to turn text into formulas or links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import xlsxwriter

from migrate.files import replace_when_done
from migrate.inventory.model import Inventory, Vm
from lab.rvtools import estate_rows, export_rows
from migrate.discovery.rvtools.layout import LAYOUT

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
    with replace_when_done(path) as scratch:
        workbook = xlsxwriter.Workbook(str(scratch), _OPTIONS)
        for tab in LAYOUT:
            _write_sheet(workbook.add_worksheet(tab), _columns(tab, attributes), _rows(tab, inventory))
        workbook.close()
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


# VM names, annotations and attributes are typed by vCenter users: text stays text, never a formula or link.
_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd hh:mm:ss",
}


def _write_sheet(sheet, columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> None:
    sheet.freeze_panes(1, 0)  # as RVTools does
    sheet.write_row(0, 0, columns)
    for number, row in enumerate(rows, start=1):
        for position, column in enumerate(columns):
            value = row.get(column)
            if value is not None:
                sheet.write(number, position, value)
