"""Reading a whole export into an `Inventory` before anything is written, so a bad file changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.errors import InputFileError, MissingColumnError
from migrate.inventory.facts import RVTOOLS, origin_of
from migrate.inventory.model import Inventory, Network
from migrate.discovery.rvtools import estate, guest, hardware, networks, vms
from migrate.discovery.rvtools.archive import open_export
from migrate.discovery.rvtools.provenance import read_vmetadata, read_vsource, sha256_of
from migrate.discovery.rvtools.tabs import USED_TABS

Progress = Callable[[str], None]
Warn = Callable[[str], None]

# Tabs that add facts to VMs found in vInfo, in the order they are applied.
_VM_TABS = (
    ("vCPU", vms.apply_vcpu),
    ("vMemory", vms.apply_vmemory),
    ("vDisk", hardware.apply_vdisk),
    ("vPartition", hardware.apply_vpartition),
    ("vNetwork", networks.apply_vnetwork),
    ("vCD", hardware.apply_vcd),
    ("vUSB", hardware.apply_vusb),
    ("vSnapshot", guest.apply_vsnapshot),
    ("vTools", guest.apply_vtools),
)


@dataclass
class ReadExport:
    """An export read into the model, with where it came from."""

    inventory: Inventory
    provenance: dict[str, Any] = field(default_factory=dict)


def read_rvtools(path: Path | str, *, progress: Progress | None = None, warn: Warn | None = None) -> ReadExport:
    """Read an RVTools export (.xlsx, "export all to csv" folder, or a .zip of either) into an inventory.

    Raises `InputFileError` naming file, sheet, row and column if the export cannot be read. An optional tab
    without a column it needs (a generated workbook's own vCluster) is read as missing, told to `warn`.
    """
    path = Path(path)
    report = progress or (lambda _tab: None)
    ignored: dict[str, str] = {}
    with open_export(path) as export:
        vinfo = export.table("vInfo")
        if vinfo is None:
            raise InputFileError(
                f"{export.file}: no vInfo sheet (found: {', '.join(export.tabs) or 'none'}): "
                "export again with RVTools including the vInfo tab"
            )
        skipped: Counter[str] = Counter()
        report("vInfo")
        index = vms.VmIndex(vms.read_vinfo(vinfo, skipped))
        if not index.vms and not skipped:
            # Importing it would mark every VM of the vCenter removed.
            raise InputFileError(
                f"{export.file}: sheet {vinfo.display} has no VM rows: export again with RVTools, "
                "or check that the export was not filtered to nothing"
            )
        for tab, apply in _VM_TABS:
            table = export.table(tab)
            if table is not None:
                report(tab)
                apply(table, index)
        meta = _source_facts(export, report)
        inventory = Inventory(source=meta["source"], api_version=meta.get("api_version"), vms=index.vms)
        _read_estate(export, inventory, report, _Ignored(ignored, warn))
        tabs = [t for t in USED_TABS if t in export.tabs and t not in ignored]
        provenance = {
            "file": path.name,
            "format": export.kind,
            "sha256": sha256_of(path),
            **{k: v for k, v in meta.items() if k not in {"source", "api_version"}},
            "tabs_read": tabs,
            "tabs_missing": [t for t in USED_TABS if t not in tabs],
            **({"tabs_ignored": ignored} if ignored else {}),
            "vms_skipped": dict(skipped),
            "rows_without_vm": dict(index.unmatched),
        }
        inventory.origin = origin_of(RVTOOLS, path.name, provenance, None)
    if skipped and warn is not None:
        warn(f"{path.name}: {skipped_text(skipped)} not recorded: they are not VMs to migrate")
    return ReadExport(inventory, provenance)


_SKIPPED = {"vcls": "vSphere Cluster Services (vCLS) agent VM", "srm_placeholder": "SRM placeholder VM"}


def skipped_text(skipped: Counter[str]) -> str:
    """`5 vSphere Cluster Services (vCLS) agent VMs and 1 SRM placeholder VM`."""
    parts = [f"{count} {_SKIPPED.get(kind, kind)}{'s' if count != 1 else ''}" for kind, count in sorted(skipped.items())]
    return " and ".join(parts)


def _source_facts(export, report: Progress) -> dict[str, Any]:
    """The vCenter name (vMetaData `Server`, else vSource `Name`, else the file name) and versions."""
    facts: dict[str, Any] = {}
    for tab, read in (("vSource", read_vsource), ("vMetaData", read_vmetadata)):
        table = export.table(tab)
        if table is not None:
            report(tab)
            found = {k: v for k, v in read(table).items() if v is not None}
            facts.update(found)
            if found.get("vcenter"):
                facts["source_name_from"] = tab
    if facts.get("vcenter"):
        facts["source"] = facts["vcenter"]
    else:
        facts["source"] = Path(export.file.split(":")[0]).stem
        facts["source_name_from"] = "file name (the export has no vMetaData or vSource naming the vCenter)"
    facts.setdefault("rvtools_version", None)
    facts.setdefault("vcenter", None)
    return facts


@dataclass
class _Ignored:
    """The optional tabs read as missing, each with why, and where to say so."""

    tabs: dict[str, str]
    warn: Warn | None

    def read(self, table, read: Callable[[Any], Any], default: Any) -> Any:
        """`read(table)`, or `default` if the table lacks a column `read` needs (the tab is then ignored)."""
        try:
            return read(table)
        except MissingColumnError as missing:
            why = f"no column {missing.column!r}, so its header is not RVTools' own"
            self.tabs[table.tab] = why
            if self.warn is not None:
                self.warn(f"{table.file}: sheet {table.display} has {why}: it is read as if missing")
            return default


def _read_estate(export, inventory: Inventory, report: Progress, ignored: _Ignored) -> None:
    """Hosts, clusters, datastores and port groups, and each NIC's port-group kind and VLAN."""
    def table(tab):
        found = export.table(tab)
        if found is not None:
            report(tab)
        return found

    if (hosts := table("vHost")) is not None:
        inventory.hosts = ignored.read(hosts, estate.read_vhost, [])
    if (clusters := table("vCluster")) is not None:
        inventory.clusters = ignored.read(clusters, lambda t: estate.read_vcluster(t, inventory.hosts), [])
    if (datastores := table("vDatastore")) is not None:
        inventory.datastores = ignored.read(datastores, estate.read_vdatastore, [])
    standard = networks.read_vswitches(t) if (t := table("vSwitch")) is not None else set()
    dvswitches = networks.read_dvswitches(t) if (t := table("dvSwitch")) is not None else {}
    found: dict[str, Network] = {}
    if (ports := table("vPort")) is not None:
        found.update(networks.read_standard_portgroups(ports))
    if (dvports := table("dvPort")) is not None:
        found.update(networks.read_distributed_portgroups(dvports, dvswitches))
    networks.link_nics(inventory.vms, found, standard, set(dvswitches))
    inventory.networks = list(found.values()) + networks.networks_seen_only_on_nics(inventory.vms, found)
