"""Place a wave on a target: a pure function of the candidates, the target snapshot and the settings.

Same inputs, same plan: VMs are placed biggest first (ties by key), each on the node with the most
memory left afterwards (ties by node name), and VMIDs are given in Proxmox-name order from the range.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from migrate.inventory.model import Vm
from migrate.mapping.guest import is_windows
from migrate.planning.candidates import Candidate
from migrate.planning.capacity import Capacity, Choice
from migrate.planning.model import MIB, ExcludedVm, Plan, PlannedDisk, PlannedVm, PlanSettings
from migrate.target.model import TargetSnapshot

NOT_READY = "Not ready"


def place_wave(
    candidates: Sequence[Candidate], snapshot: TargetSnapshot, settings: PlanSettings, *, wave: int,
    snapshot_version: int, wave_name: str | None = None, force: bool = False, pending: Sequence[PlannedVm] = (),
) -> Plan:
    """The plan of a wave: every candidate placed, or listed as excluded with the reason.

    `pending` are the entries of other waves' plans on this target whose VMs do not exist there yet: their
    memory, storage and VMIDs are booked first, so two planned waves never count on the same room or VMID.
    """
    pending = [vm for vm in pending if vm.vmid not in snapshot.vmids]
    ready, excluded = _readiness_gate(candidates, force)
    capacity = Capacity.of(snapshot, settings)
    for vm in pending:
        capacity.reserve(vm)
    placed: list[tuple[Candidate, Choice]] = []
    for candidate in sorted(ready, key=lambda c: (-c.memory_bytes, -_transfer(c), c.key)):
        choice = capacity.choose(candidate)
        if isinstance(choice, str):
            excluded.append(ExcludedVm(candidate.key, candidate.vm.name, choice))
            continue
        capacity.take(candidate, choice)
        placed.append((candidate, choice))
    vms = _with_vmids(placed, snapshot.vmids | {vm.vmid for vm in pending}, settings, excluded)
    return Plan(
        wave=wave, wave_name=wave_name, target=snapshot.target, snapshot_version=snapshot_version, settings=settings,
        forced=force, vms=tuple(vms), excluded=tuple(sorted(excluded, key=lambda e: (e.vm_name, e.vm_key))),
    )


def _readiness_gate(candidates: Sequence[Candidate], force: bool) -> tuple[list[Candidate], list[ExcludedVm]]:
    """The candidates to place, and those left out (none with `force`): Not ready ones, and those whose networks
    or datastores the mapping file does not map yet (readiness reports these apart from the VM's verdict)."""
    ready, excluded = [], []
    for candidate in candidates:
        if candidate.verdict == NOT_READY and not force:
            blocking = f" ({', '.join(candidate.blockers)})" if candidate.blockers else ""
            excluded.append(ExcludedVm(candidate.key, candidate.vm.name,
                                       f"readiness: Not ready{blocking}; plan with --force to include it"))
        elif candidate.unmapped and not force:
            excluded.append(ExcludedVm(candidate.key, candidate.vm.name,
                                       f"maps: {', '.join(candidate.unmapped)} not mapped; add them to the mapping "
                                       "file (migrate mapping check lists them), or plan with --force to use the "
                                       "default bridge and storage"))
        else:
            ready.append(candidate)
    return ready, excluded


def _with_vmids(
    placed: list[tuple[Candidate, Choice]], taken: frozenset[int], settings: PlanSettings, excluded: list[ExcludedVm]
) -> list[PlannedVm]:
    free = _free_vmids(settings, taken)
    vms = []
    for candidate, choice in sorted(placed, key=lambda p: (p[0].config.name, p[0].key)):
        vmid = next(free, None)
        if vmid is None:
            reason = f"no free VMID left in {settings.vmid_min}-{settings.vmid_max}"
            excluded.append(ExcludedVm(candidate.key, candidate.vm.name, reason))
            continue
        vms.append(planned_vm(candidate, choice, vmid, settings))
    return vms


def _free_vmids(settings: PlanSettings, taken: frozenset[int]) -> Iterable[int]:
    return (vmid for vmid in range(settings.vmid_min, settings.vmid_max + 1) if vmid not in taken)


def planned_vm(candidate: Candidate, choice: Choice, vmid: int, settings: PlanSettings) -> PlannedVm:
    """The plan entry of a placed VM: config with the chosen storages, sizes, times."""
    disks = tuple(
        PlannedDisk(slot=d.slot, storage=choice.storages[d.slot], size_bytes=d.size_bytes, transfer_bytes=d.transfer_bytes,
                    transfer_estimated=d.transfer_estimated, source_label=d.source_label, source_file=d.source_file, datastore=d.datastore, format=d.format,
                    shared=choice.storages[d.slot] in choice.shared, node_path=d.node_path)
        for d in candidate.disks
    )
    transfer = _transfer(candidate)
    copy_seconds = copy_time(transfer, settings)
    params = dict(candidate.config.params)
    for disk in disks:
        params[disk.slot] = disk.storage + ":" + str(params[disk.slot]).split(":", 1)[1]
    vm = candidate.vm
    return PlannedVm(
        vm_id=candidate.vm_id, vm_key=candidate.key, vm_name=vm.name, proxmox_name=candidate.config.name,
        node=choice.node, vmid=vmid, memory_mib=candidate.memory_bytes // MIB,
        vcpus=int(params.get("sockets", 1)) * int(params.get("cores", 1)), verdict=candidate.verdict, config=params,
        disks=disks, nics=candidate.nics, transfer_bytes=transfer, copy_seconds=copy_seconds,
        downtime_seconds=settings.shutdown_s + copy_seconds + settings.create_s + settings.boot_s,
        ha_wanted=candidate.ha_wanted, group=candidate.group,
        guest={**guest_summary(vm, candidate.config.ostype), "conversion": _conversion(candidate, disks)},
        notes=candidate.config.notes, transfer_estimated=any(d.transfer_estimated for d in disks),
        shutdown_seconds=settings.shutdown_s, create_seconds=settings.create_s, boot_seconds=settings.boot_s,
        checks=candidate.checks,
    )


def _conversion(candidate: Candidate, disks: tuple[PlannedDisk, ...]) -> dict | None:
    """The mapper's conversion, with the config for a run that does not convert the guest (`unconverted`): its
    own slots for the same disks in the same order (`slots`: planned slot -> its slot), on the chosen storages."""
    conversion = candidate.config.conversion
    safe = candidate.config.unconverted
    if conversion is None or safe is None:
        return conversion
    # EFI vars and TPM state are the same devices in both configs; the disks pair up in their order.
    slots = {key: key for key in ("efidisk0", "tpmstate0") if key in safe.params}
    slots.update(zip(candidate.config.disk_slots, safe.disk_slots))
    safe_params = dict(safe.params)
    for disk in disks:
        safe_params[slots[disk.slot]] = disk.storage + ":" + str(safe_params[slots[disk.slot]]).split(":", 1)[1]
    return {**conversion, "unconverted": {"params": safe_params, "slots": {d.slot: slots[d.slot] for d in disks}}}


def copy_time(transfer_bytes: int, settings: PlanSettings) -> int:
    """Seconds to copy `transfer_bytes` at the plan's throughput."""
    return math.ceil(transfer_bytes / (settings.throughput_mib_s * MIB))


def _transfer(candidate: Candidate) -> int:
    return sum(d.transfer_bytes for d in candidate.disks)


def guest_summary(vm: Vm, ostype: str) -> dict:
    """What the operators need at cutover about the guest: its OS, tools, firmware and static addresses."""
    return {
        "os": vm.guest_full_name_detected or vm.guest_full_name or vm.guest_id or "unknown",
        "ostype": ostype,
        "windows": is_windows(ostype),
        "firmware": vm.firmware or "unknown",
        "tools": vm.tools_status or "unknown",
        "hostname": vm.hostname,
        "static_ips": [
            {"nic": nic.label, "mac": nic.mac, "address": ip.address, "prefix": ip.prefix_length}
            for nic in vm.nics for ip in nic.ip_addresses
            if ip.origin == "manual" and ":" not in ip.address
        ],
        "known_ips": known_ips(vm),
    }


def known_ips(vm: Vm) -> list[dict]:
    """Every address VMware Tools reported (IPv6 link-local left out: it follows the MAC) with how the guest got
    it (`manual`, `dhcp`, or None when not reported), and the VM's primary IP when no NIC lists it."""
    found = [{"nic": nic.label, "mac": nic.mac, "address": ip.address, "prefix": ip.prefix_length, "origin": ip.origin}
             for nic in vm.nics for ip in nic.ip_addresses if not ip.address.lower().startswith("fe80:")]
    if vm.primary_ip and vm.primary_ip not in {ip["address"] for ip in found}:
        found.append({"nic": None, "mac": None, "address": vm.primary_ip, "prefix": None, "origin": None})
    return found
