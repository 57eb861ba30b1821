"""Facts about a guest that both the mapper and the readiness rules need, so they never disagree."""

from __future__ import annotations

from migrate.inventory.model import Vm
from migrate.mapping.model import Mappings

WINDOWS_OSTYPES = frozenset({"win11", "win10", "win8", "win7", "w2k8", "w2k3", "w2k", "wxp", "wvista"})

# Guests whose kernels refuse to boot below a CPU level (RHEL 10 and rebuilds need x86-64-v3).
_CPU_LEVEL_BY_GUEST_ID = {"rhel10_64Guest": "x86-64-v3", "oracleLinux10_64Guest": "x86-64-v3"}
_CPU_LEVEL_BY_NAME = (("enterprise linux 10", "x86-64-v3"), ("almalinux 10", "x86-64-v3"), ("rocky linux 10", "x86-64-v3"))


def guest_ostype(vm: Vm, mappings: Mappings) -> str | None:
    """The Proxmox ostype: the VM's override, else the guest OS table by configured id, detected id, then name."""
    override = mappings.override(vm.name).ostype
    if override:
        return override
    table = mappings.guest_os
    return table.lookup(vm.guest_id, None) or table.lookup(vm.guest_id_detected, vm.guest_full_name)


def is_windows(ostype: str | None) -> bool:
    return ostype in WINDOWS_OSTYPES


def has_virtio_drivers(vm: Vm, mappings: Mappings) -> bool:
    """True when the mapping file records the VirtIO drivers as installed (`virtio_drivers: true`)."""
    return mappings.override(vm.name).virtio_drivers is True


def needs_emulated_devices(vm: Vm, mappings: Mappings) -> bool:
    """Windows without proof of VirtIO drivers boots only from emulated SATA with an e1000e NIC."""
    return is_windows(guest_ostype(vm, mappings)) and not has_virtio_drivers(vm, mappings)


def required_cpu_level(vm: Vm) -> str | None:
    """The minimum x86-64 level the guest's kernel needs, when it needs more than x86-64-v2."""
    for guest_id in (vm.guest_id, vm.guest_id_detected):
        if guest_id in _CPU_LEVEL_BY_GUEST_ID:
            return _CPU_LEVEL_BY_GUEST_ID[guest_id]
    name = (vm.guest_full_name or "").lower()
    return next((level for needle, level in _CPU_LEVEL_BY_NAME if needle in name), None)


def is_latency_sensitive(vm: Vm) -> bool:
    """Full memory reservation or high latency sensitivity: ballooning would take memory the VM counts on."""
    if vm.latency_sensitivity == "high" or vm.memory_reservation_locked:
        return True
    return bool(vm.memory_mb and vm.memory_reservation_mb and vm.memory_reservation_mb >= vm.memory_mb)
