"""Facts about a guest that both the mapper and the readiness rules need, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from migrate.inventory.model import Disk, Vm
from migrate.mapping.model import Mappings

_BUS_RANK = {"scsi": 0, "sata": 1, "nvme": 2, "ide": 3}
WINDOWS_OSTYPES = frozenset({"win11", "win10", "win8", "win7", "w2k8", "w2k3", "w2k", "wxp", "wvista"})

# Guests whose kernels refuse to boot below a CPU level (RHEL 10 and rebuilds need x86-64-v3).
_CPU_LEVEL_BY_GUEST_ID = {"rhel10_64Guest": "x86-64-v3", "oracleLinux10_64Guest": "x86-64-v3"}
_CPU_LEVEL_BY_NAME = (("enterprise linux 10", "x86-64-v3"), ("almalinux 10", "x86-64-v3"), ("rocky linux 10", "x86-64-v3"))

# vSphere's guest family when neither the id nor the name is in the table. A Windows of unknown version
# gets win10: its Hyper-V enlightenments suit every Windows from 2008 on, and a Windows ostype keeps the
# guest off VirtIO storage until its drivers are proven.
_OSTYPE_BY_FAMILY = {"windowsGuest": "win10", "linuxGuest": "l26"}

# Legacy guests have no AHCI, e1000e or VirtIO driver and no guest agent: only IDE and the NIC their own
# drivers know. NT 4/2000 ship a Realtek 8139 driver, XP/2003 and Linux 2.4 an Intel e1000 one, DOS and
# Windows 9x the AMD PCnet driver of VMware's vlance.
_LEGACY_NIC_BY_OSTYPE = {"w2k": "rtl8139", "wxp": "e1000", "w2k3": "e1000", "l24": "e1000"}
_LEGACY_NIC_BY_ID_PREFIX = (("dos", "pcnet"), ("win31", "pcnet"), ("win95", "pcnet"), ("win98", "pcnet"), ("winme", "pcnet"))

# Installed on VMware, these distributions build a host-only initramfs (dracut's default there, mkinitrd's
# INITRD_MODULES before it): it holds the driver of the VMware controller only, not virtio_scsi.
_HOST_ONLY_ID_PREFIXES = ("rhel", "centos", "oraclelinux", "rockylinux", "almalinux", "sles")
_HOST_ONLY_NAMES = ("red hat enterprise", "centos", "oracle linux", "rocky linux", "almalinux", "suse linux enterprise")

# The VMware boot controllers QEMU offers with the same guest driver, so a host-only initramfs still finds
# its disk: pvscsi (vmw_pvscsi), AHCI (ahci) and IDE (ata_piix). VMware's LSI Logic and LSI SAS need
# mptspi/mptsas; Proxmox's `lsi` is a 53C895A (sym53c8xx) and it has no MPT controller, so those guests
# gain nothing from an emulated controller and keep virtio-scsi (DRV-02 then asks for the drivers first).
_KEPT_CONTROLLER = {"pvscsi": ("scsi", "pvscsi"), "ahci": ("sata", None), "ide": ("ide", None)}

# FreeBSD names a NIC after its driver, so a new NIC model renames it in rc.conf's ifconfig_<name> lines.
_FREEBSD_NIC_DRIVER = {"vmxnet3": "vmx", "e1000": "em", "e1000e": "em", "pcnet32": "le", "virtio": "vtnet"}


@dataclass(frozen=True, slots=True)
class GuestDevices:
    """The buses and NIC model a guest can boot on, which the config uses and the rules explain.

    `kind` is `virtio` (the default), `windows` (no driver proof: SATA boot disk and e1000e until the
    VirtIO drivers are in), `legacy` (IDE and an old NIC for good) or `initramfs` (a host-only initramfs:
    the boot disk stays on the controller it has a driver for).
    """

    kind: str
    boot_bus: str
    other_bus: str
    scsihw: str
    nic_model: str
    agent: bool = True
    virtio_later: bool = False  # a VirtIO config is offered for when the drivers are proven

    @property
    def is_virtio(self) -> bool:
        return self.kind == "virtio"


def guest_ostype(vm: Vm, mappings: Mappings) -> str | None:
    """The Proxmox ostype: the override, the guest OS table (ids, then names), then the guest family."""
    return guest_ostype_source(vm, mappings)[0]


def guest_ostype_source(vm: Vm, mappings: Mappings) -> tuple[str | None, str | None]:
    """The ostype and what it was read from: override, guest id, full name, guest family, or (None, None)."""
    override = mappings.override(vm.name).ostype
    if override:
        return override, "override"
    table = mappings.guest_os
    by_id = table.lookup(vm.guest_id, None) or table.lookup(vm.guest_id_detected, None)
    if by_id:
        return by_id, "guest id"
    by_name = table.lookup(None, vm.guest_full_name) or table.lookup(None, vm.guest_full_name_detected)
    if by_name:
        return by_name, "full name"
    by_family = _OSTYPE_BY_FAMILY.get(vm.guest_family or "")
    return (by_family, "guest family") if by_family else (None, None)


def is_windows(ostype: str | None) -> bool:
    return ostype in WINDOWS_OSTYPES


def may_be_windows(vm: Vm, mappings: Mappings) -> bool:
    """True unless the guest is known not to be Windows: an unknown `win...` id must not land on VirtIO storage."""
    ostype = guest_ostype(vm, mappings)
    if ostype not in (None, "other"):
        return is_windows(ostype)
    ids = [(guest_id or "").lower() for guest_id in (vm.guest_id, vm.guest_id_detected)]
    names = [(name or "").lower() for name in (vm.guest_full_name, vm.guest_full_name_detected)]
    return vm.guest_family == "windowsGuest" or any(i.startswith("win") for i in ids) or any("windows" in n for n in names)


def has_virtio_drivers(vm: Vm, mappings: Mappings) -> bool:
    """True when the mapping file records the VirtIO drivers as installed (`virtio_drivers: true`)."""
    return mappings.override(vm.name).virtio_drivers is True


def legacy_nic_model(vm: Vm, mappings: Mappings) -> str | None:
    """The emulated NIC a legacy guest (NT, 2000, XP, 2003, 9x, DOS, Linux 2.4) has a driver for; else None."""
    nic = _LEGACY_NIC_BY_OSTYPE.get(guest_ostype(vm, mappings) or "")
    if nic:
        return nic
    guest_id = (vm.guest_id or vm.guest_id_detected or "").lower()
    return next((model for prefix, model in _LEGACY_NIC_BY_ID_PREFIX if guest_id.startswith(prefix)), None)


def has_host_only_initramfs(vm: Vm) -> bool:
    """RHEL and rebuilds, Oracle Linux and SLES: installed on VMware, their initramfs may lack virtio_scsi."""
    ids = [(guest_id or "").lower() for guest_id in (vm.guest_id, vm.guest_id_detected)]
    if any(i.startswith(_HOST_ONLY_ID_PREFIXES) for i in ids):
        return True
    names = [(name or "").lower() for name in (vm.guest_full_name, vm.guest_full_name_detected)]
    return any(needle in name for name in names for needle in _HOST_ONLY_NAMES)


def ordered_disks(vm: Vm) -> list[Disk]:
    """The VM's disks in the order the mapper gives them slots (boot bus first, then bus and unit number)."""
    return sorted(vm.disks, key=_disk_order)


def _disk_order(disk: Disk) -> tuple[int, int, int]:
    return (_BUS_RANK.get(disk.controller_kind or "", 9), disk.bus_number or 0, disk.unit_number or 0)


def boot_controller_model(vm: Vm) -> str | None:
    """The model of the controller the VM boots from on VMware (the mapper's first disk)."""
    disks = ordered_disks(vm)
    return disks[0].controller_model if disks else None


def guest_devices(vm: Vm, mappings: Mappings) -> GuestDevices:
    """The devices the guest's config uses: VirtIO unless the guest may lack the drivers to boot on it."""
    hardware = mappings.hardware
    virtio = GuestDevices("virtio", "scsi", "scsi", hardware.scsihw, hardware.nic_model)
    if has_virtio_drivers(vm, mappings):
        return virtio
    legacy_nic = legacy_nic_model(vm, mappings)
    if legacy_nic:
        return GuestDevices("legacy", "ide", "ide", hardware.scsihw, legacy_nic, agent=False)
    if may_be_windows(vm, mappings):
        return GuestDevices("windows", hardware.windows_fallback_bus, "scsi", hardware.scsihw,
                            hardware.windows_fallback_nic, virtio_later=True)
    kept = _KEPT_CONTROLLER.get(boot_controller_model(vm) or "") if has_host_only_initramfs(vm) else None
    if kept:
        bus, scsihw = kept
        return GuestDevices("initramfs", bus, "scsi", scsihw or hardware.scsihw, hardware.nic_model, virtio_later=True)
    return virtio


def needs_emulated_devices(vm: Vm, mappings: Mappings) -> bool:
    """A Windows guest (or one that may be) without proof of VirtIO drivers boots only from SATA with e1000e."""
    return guest_devices(vm, mappings).kind == "windows"


def needs_tpm(vm: Vm, mappings: Mappings) -> bool:
    """A vTPM on VMware, or ostype win11: Windows 11 and Server 2025 refuse to install or update without TPM 2.0."""
    return bool(vm.vtpm) or guest_ostype(vm, mappings) == "win11"


def is_freebsd(vm: Vm) -> bool:
    ids = [(guest_id or "").lower() for guest_id in (vm.guest_id, vm.guest_id_detected)]
    names = [(name or "").lower() for name in (vm.guest_full_name, vm.guest_full_name_detected)]
    return any(i.startswith("freebsd") for i in ids) or any("freebsd" in n for n in names)


def freebsd_nic_renames(vm: Vm, mappings: Mappings) -> list[tuple[str, str]]:
    """(old, new) interface names of a FreeBSD guest whose NIC driver changes, e.g. ("vmx0", "vtnet0")."""
    if not is_freebsd(vm):
        return []
    new_driver = _FREEBSD_NIC_DRIVER.get(guest_devices(vm, mappings).nic_model)
    counters: dict[str, int] = {}
    renames = []
    for index, nic in enumerate(vm.nics):
        old_driver = _FREEBSD_NIC_DRIVER.get(nic.adapter_type or "")
        if old_driver is None or new_driver is None:
            continue
        old = f"{old_driver}{counters.setdefault(old_driver, 0)}"
        counters[old_driver] += 1
        if old_driver != new_driver:
            renames.append((old, f"{new_driver}{index}"))
    return renames


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
