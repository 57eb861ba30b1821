"""What placement needs to know about one VM of a wave: its needs in memory, storage per disk and bridges.

Built from the VM, its readiness verdict and the mapper's config; pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from migrate.inventory.model import Vm
from migrate.inventory.sizes import disk_size
from migrate.mapping.config import ProxmoxConfig
from migrate.mapping.mapper import ordered_disks
from migrate.mapping.model import Mappings
from migrate.mapping.names import vm_key
from migrate.planning.model import MIB, PlannedCheck, PlannedNic
from migrate.readiness.rule import Finding, Severity

_DISK_SLOT = re.compile(r"^(scsi|sata|ide|virtio)\d+$")
_SMALL_VOLUMES = {"efidisk0": 4 * MIB, "tpmstate0": 4 * MIB}


@dataclass(frozen=True)
class DiskNeed:
    slot: str
    storage: str | None  # None: the datastore is not mapped, placement picks a storage on the node
    size_bytes: int
    transfer_bytes: int
    transfer_estimated: bool = False  # the used size is unknown: transfer_bytes is the provisioned size
    source_label: str | None = None
    source_file: str | None = None
    datastore: str | None = None
    format: str | None = None
    node_path: str | None = None  # the nodes' mount of the datastore, from the mapping file


@dataclass(frozen=True)
class Candidate:
    vm: Vm
    vm_id: int | None
    verdict: str
    config: ProxmoxConfig
    disks: tuple[DiskNeed, ...]
    nics: tuple[PlannedNic, ...]
    ha_wanted: bool = False
    group: str | None = None
    anti_affinity: tuple[str, ...] = ()  # names of the DRS anti-affinity rules the VM is in
    blockers: tuple[str, ...] = ()  # the readiness rule ids that block it
    preferred_node: str | None = None  # the node the wave document names for it
    unmapped: tuple[str, ...] = ()  # its networks and datastores the mapping file does not map yet
    checks: tuple[PlannedCheck, ...] = ()  # the readiness findings the cutover must handle

    @property
    def key(self) -> str:
        return vm_key(self.vm)

    @property
    def memory_bytes(self) -> int:
        return int(self.config.params.get("memory") or 1024) * MIB

    @property
    def bridges(self) -> frozenset[str]:
        return frozenset(nic.bridge for nic in self.nics)


def build_candidate(
    vm: Vm, config: ProxmoxConfig, verdict: str, mappings: Mappings, *, vm_id: int | None = None,
    ha_wanted: bool = False, group: str | None = None, anti_affinity: tuple[str, ...] = (), blockers: tuple[str, ...] = (),
    preferred_node: str | None = None,
    unmapped: tuple[str, ...] = (), checks: tuple[PlannedCheck, ...] = (),
) -> Candidate:
    """The placement needs of `vm` mapped to `config`."""
    return Candidate(
        vm=vm, vm_id=vm_id, verdict=verdict, config=config, disks=_disk_needs(vm, config, mappings),
        nics=_nics(vm, config), ha_wanted=ha_wanted, group=group, anti_affinity=anti_affinity,
        blockers=blockers, preferred_node=preferred_node, unmapped=unmapped, checks=checks,
    )


def cutover_checks(findings: Iterable[Finding]) -> tuple[PlannedCheck, ...]:
    """The findings an operator must act on at cutover, blockers first: warnings (and the blockers of a forced
    plan); information findings need no action."""
    acting = sorted((f for f in findings if f.severity is not Severity.INFO), key=lambda f: f.severity is not Severity.BLOCKER)
    return tuple(PlannedCheck(f.rule_id, str(f.severity), f.message, f.remedy) for f in acting)


def _disk_needs(vm: Vm, config: ProxmoxConfig, mappings: Mappings) -> tuple[DiskNeed, ...]:
    slots = [k for k, v in config.params.items() if _DISK_SLOT.match(k) and "media=cdrom" not in str(v)]
    needs = []
    for slot, disk in zip(slots, ordered_disks(vm)):
        mapped = mappings.storage_for(vm.name, disk.datastore)
        size = disk_size(disk)
        needs.append(DiskNeed(
            slot=slot, storage=mapped.storage if mapped else None, size_bytes=size.provisioned_bytes,
            transfer_bytes=size.to_move_bytes, transfer_estimated=size.estimated,
            source_label=disk.label, source_file=disk.file_path, datastore=disk.datastore,
            format=mapped.format if mapped else None, node_path=mapped.node_path if mapped else None,
        ))
    boot_storage = needs[0].storage if needs else _spec_storage(config, slots)
    for slot, size in _SMALL_VOLUMES.items():
        if slot in config.params:
            needs.append(DiskNeed(slot=slot, storage=boot_storage, size_bytes=size, transfer_bytes=0))
    return tuple(needs)


def _spec_storage(config: ProxmoxConfig, slots: list[str]) -> str | None:
    return str(config.params[slots[0]]).split(":", 1)[0] if slots else None


def _nics(vm: Vm, config: ProxmoxConfig) -> tuple[PlannedNic, ...]:
    nics = []
    for index, nic in enumerate(vm.nics):
        spec = config.params.get(f"net{index}")
        if spec is None:
            break
        options = dict(_pair(part) for part in str(spec).split(","))
        model = next(iter(options))
        tag = options.get("tag")
        nics.append(PlannedNic(
            slot=f"net{index}", mac=options.get(model) or None, bridge=options.get("bridge", ""),
            vlan=int(tag) if tag else None, model=model, source_network=nic.network, trunks=options.get("trunks") or None,
        ))
    return tuple(nics)


def _pair(part: str) -> tuple[str, str]:
    key, _, value = part.partition("=")
    return key, value
