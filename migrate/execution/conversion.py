"""What the `convert` step runs on the node, as data: the libvirt XML that describes the copied volumes to
virt-v2v-in-place, and every command line (argv lists, quoted by the shell client).

Pure: no I/O. `steps/convert.py` runs these over the node's SSH shell. docs/conversion.md says what the
conversion does to each kind of guest and what the node needs.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

# virt-v2v-in-place uses libguestfs; `force_tcg` is for nodes whose KVM cannot run libguestfs's appliance
# (the test bed's): a run option, never the default.
V2V = "virt-v2v-in-place"
# What the node needs to convert (Debian's virt-v2v package brings the first two; coreutils and util-linux the rest).
TOOLS = (V2V, "virt-customize", "timeout", "flock")
SNAPSHOT = "migrate-preconvert"
BACKUP_SUFFIX = ".migrate-preconvert"
LINK_DIR = "/etc/systemd/network"
# Rebuild the initramfs with the distribution's own tool, so that the .link files are in it: virtio_net loads
# from the initramfs, and udev names the NIC there once and for all.
REBUILD_INITRAMFS = ("if command -v update-initramfs >/dev/null; then update-initramfs -u -k all; "
                     "elif command -v dracut >/dev/null; then dracut -f --regenerate-all; fi")


@dataclass(frozen=True)
class Volume:
    """A copied volume as the node sees it: its slot, path, format, and whether it is a block device."""

    slot: str
    path: str
    format: str
    block: bool = False


@dataclass(frozen=True)
class NicName:
    """A NIC's MAC and the interface name the guest's network configuration uses for it on VMware."""

    mac: str
    name: str


@dataclass(frozen=True)
class StaticIp:
    """A static address to keep (Windows: virt-v2v's `--mac MAC:ip:ADDR,GW,PREFIX,DNS`)."""

    mac: str
    address: str
    prefix: int
    gateway: str = ""
    dns: tuple[str, ...] = ()


def libvirt_xml(name: str, memory_mib: int, vcpus: int, efi: bool, volumes: list[Volume],
                macs: list[str]) -> str:
    """A libvirt domain for `virt-v2v-in-place -i libvirtxml`: the guest's volumes, firmware and NICs."""
    firmware = " firmware='efi'" if efi else ""
    lines = ["<domain type='kvm'>", f"  <name>{_text(name)}</name>",
             f"  <memory unit='MiB'>{int(memory_mib)}</memory>", f"  <vcpu>{int(vcpus)}</vcpu>",
             f"  <os{firmware}>", "    <type arch='x86_64'>hvm</type>", "  </os>", "  <devices>"]
    for index, volume in enumerate(volumes):
        kind, attribute = ("block", "dev") if volume.block else ("file", "file")
        lines += [f"    <disk type='{kind}' device='disk'>",
                  f"      <driver name='qemu' type={quoteattr(volume.format)}/>",
                  f"      <source {attribute}={quoteattr(volume.path)}/>",
                  f"      <target dev='sd{chr(ord('a') + index)}' bus='scsi'/>",
                  "    </disk>"]
    for mac in macs:
        lines += ["    <interface type='bridge'>", f"      <mac address={quoteattr(mac.lower())}/>",
                  "      <source bridge='vmbr0'/>", "      <model type='vmxnet3'/>", "    </interface>"]
    lines += ["  </devices>", "</domain>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def v2v_argv(xml_path: str, *, static_ips: list[StaticIp] = (), virtio_win: str | None = None,
             tcg: bool = False) -> list[str]:
    """virt-v2v-in-place on the guest the XML describes (Windows: with the virtio-win ISO and its static IPs)."""
    env = ["env"]
    if virtio_win:
        env.append(f"VIRTIO_WIN={virtio_win}")
    if tcg:
        env.append("LIBGUESTFS_BACKEND_SETTINGS=force_tcg")
    argv = [*env, V2V, "-v", "-x", "-i", "libvirtxml"] if len(env) > 1 else [V2V, "-v", "-x", "-i", "libvirtxml"]
    for ip in static_ips:
        argv += ["--mac", mac_ip_option(ip)]
    return argv + [xml_path]


def bounded(argv: list[str], timeout: float) -> list[str]:
    """`argv` ended by the node itself after `timeout` s (and killed 30 s later), so that a hung conversion never
    goes on writing the volumes behind a fallback or the next attempt."""
    return ["timeout", "--kill-after=30", str(int(timeout)), *argv]


def mac_ip_option(ip: StaticIp) -> str:
    """`MAC:ip:ADDR[,GW,PREFIX[,DNS...]]`: virt-v2v sets this static address on the NIC with that MAC (Windows).
    virt-v2v refuses an empty gateway, and takes the prefix only after one: without a known gateway, the address
    alone (virt-v2v 2.2: "cannot parse --mac ip gw")."""
    if not ip.gateway:
        return f"{ip.mac.lower()}:ip:{ip.address}"
    return f"{ip.mac.lower()}:ip:" + ",".join([ip.address, ip.gateway, str(ip.prefix), *ip.dns])


def logged(argv: list[str], log_path: str) -> list[str]:
    """`argv` with its stdout and stderr appended to `log_path` on the node (the log the status names), after
    its command line."""
    return ["sh", "-c", 'log=$1; printf "%s\\n" "$2" >>"$log"; shift 2; exec "$@" >>"$log" 2>&1', "sh", log_path,
            "+ " + describe(argv), *argv]


def link_file(nic: NicName) -> tuple[str, str]:
    """A systemd .link file that gives the NIC with this MAC its VMware name again (path, content)."""
    mac = nic.mac.lower()
    path = f"{LINK_DIR}/10-migrate-{nic.name}.link"
    return path, f"# Written by migrate: the name this NIC had on VMware.\n[Match]\nMACAddress={mac}\n\n[Link]\nName={nic.name}\n"


def pin_names_argv(volumes: list[Volume], nics: list[NicName], *, tcg: bool = False, rebuild: bool = True) -> list[str]:
    """virt-customize writing one .link file per NIC, then (`rebuild`) rebuilding the initramfs so that it holds
    them; the convert step writes them before virt-v2v-in-place, whose own rebuild takes them in."""
    argv = ["env", "LIBGUESTFS_BACKEND_SETTINGS=force_tcg"] if tcg else []
    argv += ["virt-customize", "--no-network"]
    for volume in volumes:
        argv += ["--format", volume.format, "-a", volume.path]
    argv += ["--mkdir", LINK_DIR]
    for nic in nics:
        path, content = link_file(nic)
        argv += ["--write", f"{path}:{content}"]
    return argv + ["--run-command", REBUILD_INITRAMFS] if rebuild else argv


def backup_argv(volume: Volume, workdir: str) -> list[str]:
    """Keep the volume as it was before the conversion: an internal snapshot of a qcow2 volume, a copy beside a
    file volume (`cp --reflink=auto`: instant on storages that share extents), a sparse qcow2 copy of a block
    volume (LVM, ZFS, Ceph) in the node's work directory. A copy is made under a temporary name first, so that
    one cut short is never taken for a whole one."""
    if volume.format == "qcow2":
        return ["sh", "-c", 'qemu-img snapshot -l "$1" | grep -qw "$2" || qemu-img snapshot -c "$2" "$1"',
                "sh", volume.path, SNAPSHOT]
    copy = ('qemu-img convert -f raw -O qcow2 "$1" "$2.part"' if volume.block
            else 'cp --reflink=auto --sparse=always "$1" "$2.part"')
    return ["sh", "-c", f'test -e "$2" || {{ {copy} && mv "$2.part" "$2"; }}', "sh", volume.path,
            backup_path(volume, workdir)]


def restore_argv(volume: Volume, workdir: str) -> list[str]:
    """Put the volume back as it was before the conversion (the copy is kept until the step is done)."""
    if volume.format == "qcow2":
        return ["qemu-img", "snapshot", "-a", SNAPSHOT, volume.path]
    if volume.block:
        return ["qemu-img", "convert", "-n", "-f", "qcow2", "-O", "raw", backup_path(volume, workdir), volume.path]
    return ["cp", "--sparse=always", backup_path(volume, workdir), volume.path]


def discard_backup_argv(volume: Volume, workdir: str) -> list[str]:
    if volume.format == "qcow2":
        return ["sh", "-c", 'qemu-img snapshot -l "$1" | grep -qw "$2" && qemu-img snapshot -d "$2" "$1"; true',
                "sh", volume.path, SNAPSHOT]
    backup = backup_path(volume, workdir)
    return ["rm", "-f", backup, backup + ".part"]


def backup_path(volume: Volume, workdir: str) -> str:
    """Beside a file volume (same storage, so reflinks work); in the work directory for a block volume."""
    if volume.block:
        return f"{workdir}/{volume.slot}{BACKUP_SUFFIX}.qcow2"
    return volume.path + BACKUP_SUFFIX


def workdir_of(vmid: int) -> str:
    """The node's directory for one VM's conversion: the XML, the log, block volumes' copies."""
    return f"/var/tmp/migrate-convert-{int(vmid)}"


def tools_argv() -> list[str]:
    """Succeeds on a node that has every tool of the conversion; prints the missing ones otherwise."""
    return ["sh", "-c", 'missing=; for t in "$@"; do command -v "$t" >/dev/null || missing="$missing $t"; done; '
            '[ -z "$missing" ] || { echo "$missing" >&2; exit 1; }', "sh", *TOOLS]


def describe(argv: list[str]) -> str:
    """The command line as the node runs it, for the journal and the docs."""
    return shlex.join(argv)
