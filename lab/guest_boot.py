"""Boot a guest disk in QEMU (TCG) and read its serial console for the test guest's boot marker.

Two machines: the guest "as on VMware" (pvscsi + vmxnet3, the NIC in a PCIe root port with slot 192, which is
where the name ens192 comes from), and the machine a Proxmox config describes, built from the config itself
(controllers, disks, NIC models and MACs, the guest agent channel, SeaBIOS or OVMF, the machine type), so the
tests boot exactly what the mapper produced. Every drive is opened with snapshot=on: booting never writes the
volume under test. KVM guests hang on these machines, so it is TCG everywhere.

The guest (lab/guest/) prints `MIGRATE-BOOT-OK <iface> <address> vmtools=<yes|no>` on ttyS0 when its boot
completed; an initramfs that cannot find its root disk prints "Gave up waiting for root ..." and drops to a
shell, which ends the wait at once.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

MARKER = re.compile(r"MIGRATE-BOOT-OK (\S+) (\S+) vmtools=(yes|no)")
FAILURES = ("Gave up waiting for root", "Dropping to a shell", "Kernel panic", "(initramfs)")
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
_NIC_DEVICES = {"virtio": "virtio-net-pci", "e1000e": "e1000e", "e1000": "e1000", "vmxnet3": "vmxnet3",
                "rtl8139": "rtl8139"}
_AGENT_PORT = "org.qemu.guest_agent.0"


@dataclass(frozen=True)
class Drive:
    """A volume to boot, by path and format (raw, qcow2, vmdk)."""

    path: Path
    format: str


@dataclass
class Machine:
    """A QEMU command line (without the console and the binary) and the guest agent's socket, if it has one."""

    args: list[str]
    agent_socket: Path | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="migrate-boot-")))


@dataclass
class Boot:
    """What a boot showed: the marker's fields, or the failure seen, and the console for the error message."""

    seconds: float
    interface: str | None = None
    address: str | None = None
    vmtools: bool | None = None
    failure: str | None = None
    agent_answered: bool | None = None
    console: str = ""

    @property
    def booted(self) -> bool:
        return self.interface is not None

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.console.splitlines()[-lines:])


def vmware_machine(drive: Drive, mac: str, memory_mb: int = 1024) -> Machine:
    """The guest as on VMware: a pvscsi boot disk and a vmxnet3 NIC in a root port with slot 192 (ens192)."""
    return Machine([
        "-machine", "q35,accel=tcg", "-m", str(memory_mb),
        # With ACPI hotplug on bridges, Linux names the slot from ACPI (_SUN) instead of the root port's slot.
        "-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off",
        "-device", "pvscsi,id=pvscsi0",
        *_drive_args("disk0", drive), "-device", "scsi-hd,bus=pvscsi0.0,drive=disk0,bootindex=0",
        "-device", "pcie-root-port,id=rp192,slot=192,chassis=1",
        "-netdev", "user,id=net0,restrict=on", "-device", f"vmxnet3,netdev=net0,mac={mac},bus=rp192",
    ])


def proxmox_machine(config: dict[str, object], drives: dict[str, Drive]) -> Machine:
    """The machine a Proxmox config describes; `drives` gives each disk slot's volume (scsi0 → its file)."""
    machine = Machine([])
    q35 = str(config.get("machine", "")).startswith(("q35", "pc-q35"))
    args = ["-machine", f"{'q35' if q35 else 'pc'},accel=tcg", "-m", str(config.get("memory", 1024)),
            "-smp", str(int(config.get("sockets", 1)) * int(config.get("cores", 1))), "-cpu", "max"]
    if config.get("bios") == "ovmf":
        variables = machine.workdir / "efivars.fd"
        shutil.copyfile(OVMF_VARS, variables)
        args += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
                 "-drive", f"if=pflash,format=raw,unit=1,file={variables}"]
    boot = _boot_slot(config)
    args += _disk_args(config, drives, boot)
    args += _nic_args(config, q35)
    if _agent_enabled(config.get("agent")):
        machine.agent_socket = machine.workdir / "qga.sock"
        args += ["-chardev", f"socket,id=qga0,path={machine.agent_socket},server=on,wait=off",
                 "-device", "virtio-serial,id=qga0-bus", "-device", f"virtserialport,chardev=qga0,name={_AGENT_PORT}"]
    machine.args = args
    return machine


def _boot_slot(config: dict[str, object]) -> str | None:
    order = str(config.get("boot", ""))
    return order.removeprefix("order=").split(";")[0] if order.startswith("order=") else None


def _disk_args(config: dict[str, object], drives: dict[str, Drive], boot: str | None) -> list[str]:
    scsihw = str(config.get("scsihw", "lsi"))
    args: list[str] = []
    shared = {"virtio-scsi-pci": "virtio-scsi-pci", "pvscsi": "pvscsi", "lsi": "lsi53c895a",
              "megasas": "megasas"}.get(scsihw)
    if any(s.startswith("scsi") for s in drives) and shared:
        args += ["-device", f"{shared},id=scsihw0"]
    if any(s.startswith("sata") for s in drives):
        args += ["-device", "ahci,id=ahci0"]
    for slot, drive in sorted(drives.items()):
        options = _options(str(config.get(slot, "")))
        bus, index = re.fullmatch(r"([a-z]+)(\d+)", slot).groups()
        bootindex = ",bootindex=0" if slot == boot else ""
        args += _drive_args(f"drive-{slot}", drive)
        if bus == "scsi" and scsihw == "virtio-scsi-single":
            # One controller per disk, each with its I/O thread when the config asks for one, as Proxmox does.
            iothread = ""
            if options.get("iothread") == "1":
                args += ["-object", f"iothread,id=iothread-{slot}"]
                iothread = f",iothread=iothread-{slot}"
            args += ["-device", f"virtio-scsi-pci,id=virtioscsi{index}{iothread}",
                     "-device", f"scsi-hd,bus=virtioscsi{index}.0,drive=drive-{slot}{bootindex}"]
        elif bus == "scsi":
            args += ["-device", f"scsi-hd,bus=scsihw0.0,scsi-id={index},drive=drive-{slot}{bootindex}"]
        elif bus == "sata":
            args += ["-device", f"ide-hd,bus=ahci0.{index},drive=drive-{slot}{bootindex}"]
        elif bus == "ide":
            args += ["-device", f"ide-hd,bus=ide.{int(index) // 2},unit={int(index) % 2},drive=drive-{slot}{bootindex}"]
        elif bus == "virtio":
            args += ["-device", f"virtio-blk-pci,drive=drive-{slot}{bootindex}"]
        else:
            raise ValueError(f"disk slot {slot} is not one the test machine knows")
    return args


def _nic_args(config: dict[str, object], q35: bool) -> list[str]:
    args: list[str] = []
    for index in range(32):
        spec = config.get(f"net{index}")
        if not spec:
            continue
        first, *_ = str(spec).split(",")
        model, _, mac = first.partition("=")
        device = _NIC_DEVICES[model]
        # Proxmox puts net0 at slot 18 of the first PCI bus (the guest sees ens18) on i440fx.
        address = "" if q35 else f",addr={0x12 + index:#x}"
        args += ["-netdev", f"user,id=net{index},restrict=on",
                 "-device", f"{device},netdev=net{index},mac={mac}{address}"]
    return args


def _options(spec: str) -> dict[str, str]:
    return dict(part.partition("=")[::2] for part in spec.split(",")[1:] if "=" in part)


def _agent_enabled(value: object) -> bool:
    text = str(value or "0")
    return text == "1" or "enabled=1" in text


def _drive_args(node: str, drive: Drive) -> list[str]:
    return ["-drive", f"file={drive.path},format={drive.format},if=none,id={node},snapshot=on"]


def boot(machine: Machine, timeout: float = 240, agent_timeout: float = 60) -> Boot:
    """Boot `machine` until the marker, a failure or `timeout` seconds; then ask the agent, if it has one."""
    command = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
               *machine.args]
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        result = _watch_console(process, started, timeout)
        if result.booted and machine.agent_socket is not None:
            result.agent_answered = agent_answers(machine.agent_socket, agent_timeout)
        return result
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(machine.workdir, ignore_errors=True)


def _watch_console(process: subprocess.Popen, started: float, timeout: float) -> Boot:
    console = bytearray()
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    os.set_blocking(process.stdout.fileno(), False)
    while (elapsed := time.monotonic() - started) < timeout:
        if not selector.select(timeout=1):
            continue
        chunk = process.stdout.read(65536)
        if not chunk:  # QEMU exited
            return Boot(elapsed, failure=f"QEMU exited with code {process.wait()}", console=_text(console))
        console += chunk
        text = _text(console)
        found = MARKER.search(text)
        if found:
            return Boot(elapsed, found[1], found[2], found[3] == "yes", console=text)
        failure = next((f for f in FAILURES if f in text), None)
        if failure:
            return Boot(elapsed, failure=failure, console=text)
    return Boot(timeout, failure=f"no boot marker within {timeout:.0f} s", console=_text(console))


def _text(console: bytearray) -> str:
    return console.decode("utf-8", "replace").replace("\r", "")


def agent_answers(path: Path, timeout: float) -> bool:
    """True when a QEMU guest agent answers `guest-sync` on its channel's socket within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    request = json.dumps({"execute": "guest-sync", "arguments": {"id": 4242}}).encode() + b"\n"
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(5)
                sock.connect(str(path))
                sock.sendall(request)
                reply = sock.recv(4096)
            if b'"return": 4242' in reply or b'"return":4242' in reply:
                return True
        except OSError:
            pass
        time.sleep(2)
    return False
