"""Whether a guest is converted on the node before its first start (virt-v2v-in-place), and with what. Pure.

virt-v2v converts Linux (it removes VMware Tools, puts the VirtIO drivers in the initramfs) and Windows (it
installs the VirtIO drivers from a virtio-win ISO, keeps static IPs given with `--mac`); it refuses FreeBSD,
legacy guests and systems it does not know, which keep the safe config the mapper gives them today.

A guest the conversion gives its VirtIO drivers (Windows with the ISO on the target, a host-only initramfs
Linux) is planned on VirtIO at once; its safe config (`unconverted`) stays in the plan for a run that does not
convert it. `planned_devices` is what the config uses, for the mapper and the readiness rules alike.

A Linux guest's static network configuration names its NIC by its VMware name (ens192), which a VirtIO NIC
does not get: the conversion pins that name to the NIC's MAC. vSphere does not report the guest's interface
names, so the name is VMware's for the NIC's place: its NICs sit on PCIe root ports whose slot numbers are
192, 224, 256, then 1184 onwards in steps of 32 (ens192, ens224, ...), for the order the VM lists them. The
mapping file's `nic_names` for the VM replaces that guess.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from migrate.inventory.model import Vm
from migrate.mapping.guest import GuestDevices, guest_devices, guest_ostype, is_freebsd, legacy_nic_model, may_be_windows
from migrate.mapping.model import Mappings, TargetFacts

_VMWARE_NIC_SLOTS = (192, 224, 256) + tuple(1184 + 32 * i for i in range(7))

# The guests virt-v2v converts, by vSphere guest id prefix and by the OS name vCenter shows (all an RVTools
# export has): Windows and the Linux distributions whose package manager and boot loader it knows.
CONVERTIBLE_IDS = (
    "win", "rhel", "centos", "oraclelinux", "rocky", "alma", "fedora", "sles", "opensuse", "suse", "debian", "ubuntu",
    "asianux", "kylin",
)
CONVERTIBLE_NAMES = ("windows", "red hat", "centos", "oracle linux", "rocky", "alma", "fedora", "suse", "debian",
                     "ubuntu", "asianux", "kylin")
TOO_OLD_IDS = ("win31", "win95", "win98", "winme", "dos")
TOO_OLD_NAMES = ("windows 3", "windows 95", "windows 98", "windows me", "ms-dos")
NO_ISO = ("Windows gets its VirtIO drivers from the virtio-win ISO, which the target does not name: "
          "`migrate target set TARGET --virtio-win PATH` (or `migrate run --virtio-win PATH`)")

# What the conversion changes, per guest, for `map show` and the runbook.
CHANGES = {
    "linux": "removes open-vm-tools/VMware Tools, adds virtio_scsi, virtio_blk, virtio_pci and virtio_net to the "
             "initramfs and rebuilds it, pins each NIC's VMware name to its MAC ({names}) so its static "
             "configuration still applies",
    "windows": "installs the viostor, vioscsi and netkvm drivers and the guest agent from {iso}, removes VMware "
               "Tools at first boot, keeps each static IP ({ips})",
}
_WINDOWS_WITHOUT_ISO = ("when the target or the run names the ISO on the nodes (target set --virtio-win PATH, or run "
                        "--virtio-win PATH; else it keeps its safe config): ")


@dataclass(frozen=True)
class Conversion:
    """The plan's conversion of one guest: `convert` or not (`reason` says why not), and what it keeps."""

    convert: bool
    guest: str | None = None  # linux, windows
    reason: str = ""
    interfaces: list[dict] = field(default_factory=list)  # Linux: {"mac", "name"} per NIC
    static_ips: list[dict] = field(default_factory=list)  # Windows: {"mac", "address", "prefix"}
    virtio_win: str | None = None  # Windows: the ISO the target names (else only a run that names one converts)

    def to_dict(self) -> dict:
        """For the plan: the fields, and `changes` for the runbook."""
        return {**asdict(self), "changes": self.changes}

    @property
    def brings_virtio(self) -> bool:
        """True when the conversion installs the VirtIO drivers whatever the run: the config is VirtIO at once."""
        return self.convert and (self.guest == "linux" or bool(self.virtio_win))

    @property
    def changes(self) -> str:
        """One sentence: what the conversion does to this guest, or why it is not converted."""
        if not self.convert:
            return f"not converted: {self.reason}"
        names = ", ".join(f"{i['name']} = {i['mac']}" for i in self.interfaces) or "no NIC"
        ips = ", ".join(f"{i['address']}/{i['prefix']} on {i['mac']}" for i in self.static_ips) or "none recorded"
        said = CHANGES[self.guest].format(names=names, ips=ips, iso=self.virtio_win or "the virtio-win ISO")
        return said if self.guest != "windows" or self.virtio_win else _WINDOWS_WITHOUT_ISO + said


def convertible(vm: Vm) -> bool | None:
    """Whether virt-v2v converts this guest's OS, by its id or name; None when neither says (OS-01's case)."""
    guest_id = (vm.guest_id or vm.guest_id_detected or "").lower()
    if guest_id and not guest_id.startswith("other"):
        return guest_id.startswith(CONVERTIBLE_IDS) and not guest_id.startswith(TOO_OLD_IDS)
    name = (vm.guest_full_name or vm.guest_full_name_detected or "").lower()
    if guest_id or not name or name.startswith("other"):
        return None
    return any(n in name for n in CONVERTIBLE_NAMES) and not any(old in name for old in TOO_OLD_NAMES)


def vmware_interface_names(vm: Vm, mappings: Mappings) -> list[dict]:
    """Each NIC's MAC and the name the Linux guest gives it: the mapping file's `nic_names`, else VMware's
    for the NIC's place (ens192, ens224, ...), in the VM's order."""
    given = mappings.override(vm.name).nic_names
    names = list(given) if given else [f"ens{slot}" for slot in _VMWARE_NIC_SLOTS]
    return [{"mac": nic.mac.lower(), "name": name} for nic, name in zip((n for n in vm.nics if n.mac), names)]


def conversion_of(vm: Vm, mappings: Mappings, facts: TargetFacts = TargetFacts()) -> Conversion:
    """Whether `vm` is converted: the mapping file's `convert: false` wins, then what virt-v2v supports."""
    if mappings.override(vm.name).convert is False:
        return Conversion(False, reason="`convert: false` for this VM in the mapping file")
    if legacy_nic_model(vm, mappings):
        return Conversion(False, reason="virt-v2v does not convert legacy guests (NT, 2000, XP, 2003, 9x, DOS, Linux 2.4)")
    if is_freebsd(vm):
        return Conversion(False, reason="virt-v2v does not convert FreeBSD guests")
    if convertible(vm) is False:
        return Conversion(False, reason=f"virt-v2v does not convert {vm.guest_id or vm.guest_full_name} guests "
                                        "(Windows and the major Linux distributions only)")
    if may_be_windows(vm, mappings):
        ips = [{"mac": nic.mac.lower(), "address": ip.address, "prefix": ip.prefix_length}
               for nic in vm.nics if nic.mac for ip in nic.ip_addresses
               if ip.origin == "manual" and ":" not in ip.address]
        return Conversion(True, "windows", static_ips=ips, virtio_win=facts.virtio_win)
    if guest_ostype(vm, mappings) in ("l26", "l24"):
        return Conversion(True, "linux", interfaces=vmware_interface_names(vm, mappings))
    return Conversion(False, reason="the guest OS is unknown or not one virt-v2v converts (Linux and Windows only)")


def with_virtio_proof(vm: Vm, mappings: Mappings) -> Mappings:
    """The mappings as if `virtio_drivers: true` were set for `vm`: the config once its drivers are in."""
    override = replace(mappings.override(vm.name), virtio_drivers=True)
    return replace(mappings, vms={**mappings.vms, vm.name: override})


def planned_devices(vm: Vm, mappings: Mappings, facts: TargetFacts = TargetFacts()) -> GuestDevices:
    """The devices the planned config uses: VirtIO at once for a guest whose conversion brings the drivers,
    else what the guest has drivers for (`guest.guest_devices`)."""
    devices = guest_devices(vm, mappings)
    if devices.virtio_later and conversion_of(vm, mappings, facts).brings_virtio:
        return guest_devices(vm, with_virtio_proof(vm, mappings))
    return devices

