"""Which facts an inventory holds: where it came from (the vSphere API or an RVTools export) and what that
source cannot know, so that a rule needing such a fact says "not assessed" instead of passing the VM.

The names are the phrases a report prints ("PCI passthrough devices: not in the RVTools export"). Readiness
rules list the ones they need (`Rule.needs`); discovery records the source (`Inventory.origin`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

PCI_PASSTHROUGH = "PCI passthrough devices"
VGPU = "vGPU devices"
SCSI_PASSTHROUGH = "SCSI passthrough devices"
SERIAL_PORTS = "serial and parallel ports"
USB_CONTROLLERS = "USB controllers"
VTPM = "vTPM"
ENCRYPTION = "VM and disk encryption"
CPU_AFFINITY = "CPU affinity"
CLUSTER_RULES = "DRS VM-host rules"
DETECTED_GUEST_ID = "guest OS ids (configured and detected)"
IP_ORIGINS = "IP address origins (static or DHCP)"
SNAPSHOTS = "snapshots"
TOOLS = "VMware Tools status"
NIC_DETAILS = "NIC adapters and MACs"
HOSTS = "host maintenance mode"
CLUSTERS = "cluster HA and DRS settings"
DATASTORE_TYPES = "datastore types"

# What no RVTools export holds (docs/rvtools.md, "What stays unknown"): no tab lists passthrough, vGPU or
# serial devices, a vTPM, encryption keys, CPU affinity or VM-host rules; vNetwork has no IP origins.
RVTOOLS_NEVER = frozenset({
    PCI_PASSTHROUGH, VGPU, SCSI_PASSTHROUGH, SERIAL_PORTS, USB_CONTROLLERS, VTPM, ENCRYPTION, CPU_AFFINITY,
    CLUSTER_RULES, DETECTED_GUEST_ID, IP_ORIGINS,
})
# What an export holds only when its tab is there (consultants often send trimmed workbooks).
RVTOOLS_TABS = {
    "vSnapshot": SNAPSHOTS, "vTools": TOOLS, "vNetwork": NIC_DETAILS, "vHost": HOSTS, "vCluster": CLUSTERS,
    "vDatastore": DATASTORE_TYPES,
}

API = "api"
RVTOOLS = "rvtools"


@dataclass(frozen=True)
class Origin:
    """Where an inventory's facts came from: `api` or `rvtools`, the vCenter or export file, when, and the
    facts that source lacks."""

    method: str
    label: str
    taken_at: str | None = None  # ISO-8601: the export's creation time, else the discovery's
    lacks: frozenset[str] = field(default_factory=frozenset)

    @property
    def where(self) -> str:
        """How a report names the source of a missing fact: `the RVTools export` or `the vSphere API discovery`."""
        return "the RVTools export" if self.method == RVTOOLS else "the vSphere API discovery"

    def describe(self) -> str:
        """One line for a report's header: `RVTools export sample.xlsx of 2026-11-30T09:00:00`."""
        kind = "RVTools export" if self.method == RVTOOLS else "vSphere API discovery of"
        when = f" of {self.taken_at}" if self.taken_at else ""
        return f"{kind} {self.label}{when}"

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "label": self.label, "taken_at": self.taken_at, "lacks": sorted(self.lacks)}


def rvtools_lacks(tabs_missing: Iterable[str]) -> frozenset[str]:
    """The facts an export lacks: those RVTools never exports, and those of the tabs it does not have."""
    return RVTOOLS_NEVER | {fact for tab, fact in RVTOOLS_TABS.items() if tab in set(tabs_missing)}


def origin_of(method: str, label: str, provenance: dict[str, Any], taken_at: str | None) -> Origin:
    """The origin of a discovery run (`method` as recorded: `rvtools`, else the API)."""
    if method == RVTOOLS:
        return Origin(RVTOOLS, provenance.get("file") or label, provenance.get("exported_at") or taken_at,
                      rvtools_lacks(provenance.get("tabs_missing") or ()))
    return Origin(API, label, taken_at)
