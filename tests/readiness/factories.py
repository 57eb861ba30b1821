"""Sensible default VMs and contexts for pure tests: change one field per case.

The default VM is a powered-off RHEL 8 VM with BIOS, one thin disk on `ds1` and one vmxnet3 NIC on
`VM Network`, both mapped, VMware Tools installed: every rule passes on it except INFO ones.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from migrate.inventory.facts import RVTOOLS, Origin, rvtools_lacks
from migrate.inventory.model import Controller, Disk, Inventory, IpAddress, Nic, Vm
from migrate.mapping.files import load_mappings
from migrate.mapping.model import Mappings, NetworkTarget, StorageTarget, TargetFacts, VmOverride
from migrate.readiness.context import RuleContext, build_context

GIB = 1024**3
_BUNDLED = load_mappings()


def make_disk(**overrides: Any) -> Disk:
    values: dict[str, Any] = dict(
        key=2000, label="Hard disk 1", capacity_bytes=40 * GIB, controller_key=1000, controller_kind="scsi",
        controller_model="pvscsi", bus_number=0, unit_number=0, committed_bytes=12 * GIB, thin=True, datastore="ds1",
        file_path="[ds1] app01/app01.vmdk", disk_mode="persistent", sharing="sharingNone", backing="flat",
    )
    values.update(overrides)
    return Disk(**values)


def make_nic(**overrides: Any) -> Nic:
    values: dict[str, Any] = dict(
        key=4000, label="Network adapter 1", adapter_type="vmxnet3", mac="00:50:56:01:02:03", address_type="assigned",
        network="VM Network", network_kind="standard", connected=True, start_connected=True,
        ip_addresses=[IpAddress("10.0.0.10", 24, "dhcp")],
    )
    values.update(overrides)
    return Nic(**values)


def make_vm(**overrides: Any) -> Vm:
    values: dict[str, Any] = dict(
        name="app01", moref="vm-101", instance_uuid="5001aaaa-0000-0000-0000-000000000101",
        bios_uuid="4201aaaa-0000-0000-0000-000000000101", folder="/DC1/vm/apps", datacenter="DC1", cluster="CL1",
        host="esx1.example.com", template=False, power_state="poweredOff", connection_state="connected",
        guest_id="rhel8_64Guest", guest_full_name="Red Hat Enterprise Linux 8 (64-bit)", tools_status="toolsOk",
        tools_running="guestToolsNotRunning", hostname="app01.example.com", firmware="bios", secure_boot=False, vtpm=False,
        hw_version="vmx-19", num_cpu=2, cores_per_socket=1, memory_mb=4096, cbt_enabled=True, ft_state="notConfigured",
        consolidation_needed=False, used_bytes=12 * GIB,
        disks=[make_disk()], controllers=[Controller(1000, "scsi", "pvscsi", 0, "noSharing")], nics=[make_nic()],
    )
    if "bios_uuid" not in overrides and overrides.get("name", "app01") != "app01":
        # Two VMs of the factory are two VMs, not clones: each name its own BIOS UUID (ID-05 judges shared ones).
        values["bios_uuid"] = str(uuid.uuid5(uuid.NAMESPACE_DNS, overrides["name"]))
    values.update(overrides)
    return Vm(**values)


def make_mappings(**overrides: Any) -> Mappings:
    """The bundled guest OS table and hardware defaults, with `VM Network` and `ds1` mapped."""
    values: dict[str, Any] = dict(
        networks={"VM Network": NetworkTarget("vmbr0", 20)}, storage={"ds1": StorageTarget("tgt", "raw")}, source="vc1.example.com"
    )
    values.update(overrides)
    return replace(_BUNDLED, **values)


def with_override(mappings: Mappings, vm_name: str, **fields: Any) -> Mappings:
    return replace(mappings, vms={**mappings.vms, vm_name: VmOverride(**fields)})


def make_context(*vms: Vm, inventory: Inventory | None = None, mappings: Mappings | None = None, target: TargetFacts | None = None) -> RuleContext:
    """A rule context for `vms` (or a whole `inventory`)."""
    inventory = inventory or Inventory(source="vc1.example.com", vms=list(vms) or [make_vm()])
    return build_context(inventory, mappings or make_mappings(), target or TargetFacts())


def rvtools_context(*vms: Vm, tabs_missing: tuple[str, ...] = ()) -> RuleContext:
    """A rule context for `vms` as imported from an RVTools export (with the facts an export lacks)."""
    origin = Origin(RVTOOLS, "export.xlsx", "2026-11-30T09:00:00", rvtools_lacks(tabs_missing))
    return make_context(inventory=Inventory(source="vc1.example.com", vms=list(vms), origin=origin))


def outcomes(rule_module: Any, vm: Vm, ctx: RuleContext | None = None) -> list:
    """Everything one rule module says about `vm`."""
    return list(rule_module.check(vm, ctx or make_context(vm)))
