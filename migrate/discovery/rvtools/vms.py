"""vInfo, vCPU and vMemory: one `Vm` per vInfo row, and the index that joins the other VM tabs to it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from migrate.inventory.model import Nic, Vm
from migrate.discovery.rvtools.layout import LAYOUT, LEGACY_VINFO_COLUMNS
from migrate.discovery.rvtools.table import Row, Table, header_key
from migrate.discovery.rvtools.values import MEMORY_MIB, VCPUS, text, vmx_version

_KNOWN_VINFO = {header_key(h) for h in LAYOUT["vInfo"] + LEGACY_VINFO_COLUMNS}
VM_NAME = ("VM", "VM Name")
VM_UUID = ("VM UUID", "UUID")
VM_MOREF = ("VM ID", "Object ID")
OS_CONFIGURED = ("OS according to the configuration file", "OS")
OS_TOOLS = ("OS according to the VMware Tools",)


class VmIndex:
    """Finds the VM a row of another tab belongs to: by VM UUID, then VM ID (moref), then a unique name."""

    def __init__(self, vms: Iterable[Vm]):
        self.vms = list(vms)
        self._by_uuid = {vm.instance_uuid: vm for vm in self.vms if vm.instance_uuid}
        self._by_moref = {vm.moref: vm for vm in self.vms if vm.moref}
        names = Counter(vm.name for vm in self.vms)
        self._by_name = {vm.name: vm for vm in self.vms if names[vm.name] == 1}
        self.unmatched: Counter[str] = Counter()

    def find(self, row: Row) -> Vm | None:
        vm = (
            self._by_uuid.get(row.text(*VM_UUID) or "")
            or self._by_moref.get(row.text(*VM_MOREF) or "")
            or self._by_name.get(row.text(*VM_NAME) or "")
        )
        if vm is None:
            # Edited exports disagree between tabs (vTools listing VMs that vInfo lost); count, don't fail.
            self.unmatched[row.table.tab] += 1
        return vm

    def rows(self, table: Table) -> Iterator[tuple[Row, Vm]]:
        """The table's rows that belong to a known VM, each with that VM; the others are counted."""
        for row in table.rows():
            vm = self.find(row)
            if vm is not None:
                yield row, vm


def is_special(vm: Vm, row: Row) -> str | None:
    """Why a vInfo row is not a VM to migrate: SRM placeholders and vSphere Cluster Services agents."""
    if row.bool("SRM Placeholder"):
        return "srm_placeholder"
    if vm.name.startswith("vCLS"):
        return "vcls"
    return None


def read_vinfo(table: Table, skipped: Counter[str]) -> list[Vm]:
    """The VMs of the vInfo tab; skipped kinds are counted in `skipped`."""
    table.require(*VM_NAME)
    attribute_columns = [
        (position, header) for position, header in enumerate(table.headers)
        if header is not None and not _is_rvtools_column(header)
    ]
    vms = []
    for row in table.rows():
        vm = _vm_from_row(row)
        if vm is None:
            continue
        reason = is_special(vm, row)
        if reason:
            skipped[reason] += 1
            continue
        vm.custom_attributes = _attributes(row, attribute_columns)
        vms.append(vm)
    return vms


def _is_rvtools_column(header: str) -> bool:
    key = header_key(header)
    return key in _KNOWN_VINFO or key.removeprefix("vinfo") in _KNOWN_VINFO  # -DBColumnNames: vInfoCPUs


def _vm_from_row(row: Row) -> Vm | None:
    name = row.text(*VM_NAME)
    if name is None:
        return None
    in_use, provisioned = row.bytes_from_mib("In Use MiB"), row.bytes_from_mib("Provisioned MiB")
    vm = Vm(
        name=name,
        moref=row.text(*VM_MOREF),
        instance_uuid=row.text(*VM_UUID),
        bios_uuid=row.text("SMBIOS UUID"),
        folder=row.text("Folder"),
        datacenter=row.text("Datacenter"),
        cluster=row.text("Cluster"),
        host=row.text("Host"),
        resource_pool=row.text("Resource pool"),
        template=row.bool("Template"),
        power_state=row.text("Powerstate"),
        connection_state=row.text("Connection state"),
        guest_full_name=row.text(*OS_CONFIGURED),
        guest_full_name_detected=row.text(*OS_TOOLS),
        hostname=row.text("DNS Name"),
        primary_ip=row.text("Primary IP Address"),
        firmware=row.text("Firmware"),
        secure_boot=row.bool("EFI Secure boot"),
        hw_version=_hw_version(row),
        num_cpu=row.int("CPUs", within=VCPUS),
        memory_mb=row.int("Memory", within=MEMORY_MIB),
        latency_sensitivity=row.text("Latency Sensitivity"),
        annotation=row.text("Annotation"),
        cbt_enabled=row.bool("CBT"),
        ft_state=row.text("FT State"),
        consolidation_needed=row.bool("Consolidation Needed"),
        used_bytes=in_use,
        uncommitted_bytes=provisioned - in_use if provisioned is not None and in_use is not None else None,
    )
    vm.nics = _nics_from_network_columns(row)
    return vm


def _hw_version(row: Row) -> str | None:
    """`HW version` is 21 in 4.x; 3.x's `VM Version` already reads vmx-21."""
    return vmx_version(row.text("HW version", "VM Version"))


def _attributes(row: Row, columns: list[tuple[int, str]]) -> dict[str, str]:
    """Custom attributes and columns people inserted: kept, since they carry owner, backup and tier hints."""
    found = {}
    for position, header in columns:
        if position < len(row.cells):
            value = text(row.cells[position])
            if value is not None:
                found[header] = value
    return found


def _nics_from_network_columns(row: Row) -> list[Nic]:
    """Port-group names from `Network #1..#8`: the NICs of a workbook trimmed of vNetwork.

    vNetwork, where present, replaces these with the full NIC facts.
    """
    nics = []
    for number in range(1, 9):
        network = row.text(f"Network #{number}")
        if network:
            nics.append(Nic(key=None, label=None, adapter_type=None, mac=None, address_type=None, network=network))
    return nics


def apply_vcpu(table: Table, index: VmIndex) -> None:
    """Cores per socket and CPU hot add; vCPU's `CPUs` fills in where vInfo had none."""
    for row, vm in index.rows(table):
        vm.cores_per_socket = row.int("Cores p/s", within=VCPUS)
        vm.cpu_hot_add = row.bool("Hot Add")
        if vm.num_cpu is None:
            vm.num_cpu = row.int("CPUs", within=VCPUS)
        vm.folder = vm.folder or row.text("Folder")


def apply_vmemory(table: Table, index: VmIndex) -> None:
    """Memory reservation, its lock to the maximum, and memory hot add."""
    for row, vm in index.rows(table):
        vm.memory_reservation_mb = row.int("Reservation", within=MEMORY_MIB)
        vm.memory_reservation_locked = row.bool("Memory Reservation Locked To Max")
        vm.memory_hot_add = row.bool("Hot Add")
        if vm.memory_mb is None:
            vm.memory_mb = row.int("Size MiB", within=MEMORY_MIB)
        vm.folder = vm.folder or row.text("Folder")
