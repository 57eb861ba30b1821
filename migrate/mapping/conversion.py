"""Whether a guest is converted on the node before its first start (virt-v2v-in-place), and with what. Pure.

virt-v2v converts Linux (it removes VMware Tools, puts the VirtIO drivers in the initramfs) and Windows (it
installs the VirtIO drivers from a virtio-win ISO, keeps static IPs given with `--mac`); it refuses FreeBSD,
legacy guests and unknown systems, which keep the safe config the mapper gives them today.

A Linux guest's static network configuration names its NIC by its VMware name (ens192), which a VirtIO NIC
does not get: the conversion pins that name to the NIC's MAC. vSphere does not report the guest's interface
names, so the name is VMware's for the NIC's place: its NICs sit on PCIe root ports whose slot numbers are
192, 224, 256, then 1184 onwards in steps of 32 (ens192, ens224, ...), for the order the VM lists them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from migrate.inventory.model import Vm
from migrate.mapping.guest import guest_ostype, is_freebsd, legacy_nic_model, may_be_windows
from migrate.mapping.model import Mappings

_VMWARE_NIC_SLOTS = (192, 224, 256) + tuple(1184 + 32 * i for i in range(7))
# What the conversion changes, per guest, for `map show` and the runbook.
CHANGES = {
    "linux": "removes open-vm-tools/VMware Tools, adds virtio_scsi, virtio_blk, virtio_pci and virtio_net to the "
             "initramfs and rebuilds it, pins each NIC's VMware name to its MAC ({names}) so its static "
             "configuration still applies",
    "windows": "when the run names the ISO on the nodes (--virtio-win PATH; else it keeps its safe config): "
               "installs the viostor, vioscsi and netkvm drivers and the guest agent from the virtio-win ISO, "
               "removes VMware Tools at first boot, keeps each static IP ({ips})",
}


@dataclass(frozen=True)
class Conversion:
    """The plan's conversion of one guest: `convert` or not (`reason` says why not), and what it keeps."""

    convert: bool
    guest: str | None = None  # linux, windows
    reason: str = ""
    interfaces: list[dict] = field(default_factory=list)  # Linux: {"mac", "name"} per NIC
    static_ips: list[dict] = field(default_factory=list)  # Windows: {"mac", "address", "prefix"}

    def to_dict(self) -> dict:
        """For the plan: the fields, and `changes` for the runbook."""
        return {**asdict(self), "changes": self.changes}

    @property
    def changes(self) -> str:
        """One sentence: what the conversion does to this guest, or why it is not converted."""
        if not self.convert:
            return f"not converted: {self.reason}"
        names = ", ".join(f"{i['name']} = {i['mac']}" for i in self.interfaces) or "no NIC"
        ips = ", ".join(f"{i['address']}/{i['prefix']} on {i['mac']}" for i in self.static_ips) or "none recorded"
        return CHANGES[self.guest].format(names=names, ips=ips)


def vmware_interface_names(vm: Vm) -> list[dict]:
    """Each NIC's MAC and the name a Linux guest gives it on VMware (ens192, ens224, ...), in the VM's order."""
    return [{"mac": nic.mac.lower(), "name": f"ens{slot}"}
            for nic, slot in zip((n for n in vm.nics if n.mac), _VMWARE_NIC_SLOTS)]


def conversion_of(vm: Vm, mappings: Mappings) -> Conversion:
    """Whether `vm` is converted: the mapping file's `convert: false` wins, then what virt-v2v supports."""
    if mappings.override(vm.name).convert is False:
        return Conversion(False, reason="`convert: false` for this VM in the mapping file")
    if legacy_nic_model(vm, mappings):
        return Conversion(False, reason="virt-v2v does not convert legacy guests (NT, 2000, XP, 2003, 9x, DOS, Linux 2.4)")
    if is_freebsd(vm):
        return Conversion(False, reason="virt-v2v does not convert FreeBSD guests")
    if may_be_windows(vm, mappings):
        ips = [{"mac": nic.mac.lower(), "address": ip.address, "prefix": ip.prefix_length}
               for nic in vm.nics if nic.mac for ip in nic.ip_addresses
               if ip.origin == "manual" and ":" not in ip.address]
        return Conversion(True, "windows", static_ips=ips)
    if guest_ostype(vm, mappings) in ("l26", "l24"):
        return Conversion(True, "linux", interfaces=vmware_interface_names(vm))
    return Conversion(False, reason="the guest OS is unknown or not one virt-v2v converts (Linux and Windows only)")
