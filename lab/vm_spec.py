"""vSphere config specs for one VM of the sample estate: the CreateVM_Task spec and the ReconfigVM_Task one.

The 0.24 simulator accepts PCI passthrough, USB and serial devices only on ReconfigVM_Task, so they are
split from the creation spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyVmomi import vim

from lab.estate_spec import ControllerSpec, DeviceSpec, DiskSpec, NicSpec, VmSpec

CONTROLLER_TYPES = {
    "pvscsi": vim.vm.device.ParaVirtualSCSIController,
    "lsilogic": vim.vm.device.VirtualLsiLogicController,
    "lsilogic-sas": vim.vm.device.VirtualLsiLogicSASController,
    "buslogic": vim.vm.device.VirtualBusLogicController,
    "ahci": vim.vm.device.VirtualAHCIController,
    "nvme": vim.vm.device.VirtualNVMEController,
}
NIC_TYPES = {"vmxnet3": vim.vm.device.VirtualVmxnet3, "e1000": vim.vm.device.VirtualE1000,
             "e1000e": vim.vm.device.VirtualE1000e}
# The simulator validates guest ids against a list older than Windows 2019 and RHEL 8, so every VM is
# created as this one and its real id is set afterwards through the simulator's SET.* extraConfig keys.
NEUTRAL_GUEST_ID = "otherGuest64"
# Every simulated VM has IDE controller 0 with key 200; the CD-ROM goes there.
IDE0_KEY = 200
USB_CONTROLLER_KEY = -400


@dataclass(frozen=True)
class DvPort:
    """Where a NIC on a distributed portgroup connects."""

    switch_uuid: str
    portgroup_key: str


def create_spec(vm: VmSpec, dv_ports: dict[str, DvPort]) -> vim.vm.ConfigSpec:
    """The CreateVM_Task spec: hardware, options, disks, NICs, CD-ROM, vTPM and the guest facts."""
    controller_keys = {c.ref: -(100 + i) for i, c in enumerate(vm.controllers)}
    changes = [_controller(c, controller_keys[c.ref]) for c in vm.controllers]
    changes += [_disk(i, d, controller_keys[d.controller]) for i, d in enumerate(vm.disks)]
    changes += [_nic(i, n, dv_ports.get(n.network), vm.power_state == "poweredOn") for i, n in enumerate(vm.nics)]
    changes += [_cdrom(d) for d in vm.devices if d.kind == "cdrom"]
    if vm.vtpm:
        changes.append(_add(vim.vm.device.VirtualTPM(key=-600)))
    return vim.vm.ConfigSpec(
        name=vm.name, guestId=NEUTRAL_GUEST_ID, version=vm.hw_version, numCPUs=vm.cpus,
        numCoresPerSocket=vm.cores_per_socket, memoryMB=vm.memory_mb, annotation=vm.annotation,
        files=vim.vm.FileInfo(vmPathName=f"[{vm.datastore}]"), firmware=vm.firmware,
        # vCenter reports secure boot off on BIOS VMs too; vcsim would leave bootOptions unset without it.
        bootOptions=vim.vm.BootOptions(efiSecureBootEnabled=bool(vm.secure_boot)),
        cpuHotAddEnabled=vm.cpu_hot_add, memoryHotAddEnabled=vm.memory_hot_add,
        changeTrackingEnabled=vm.cbt, memoryReservationLockedToMax=vm.reservation_locked,
        memoryAllocation=vim.ResourceAllocationInfo(reservation=vm.memory_reservation_mb),
        latencySensitivity=vim.LatencySensitivity(level=vm.latency_sensitivity),
        deviceChange=changes, extraConfig=_guest_facts(vm),
    )


def reconfig_spec(vm: VmSpec) -> vim.vm.ConfigSpec | None:
    """The ReconfigVM_Task spec adding passthrough, USB and serial devices; None when there are none."""
    changes = []
    for number, device in enumerate(vm.devices):
        if device.kind == "pci_passthrough":
            changes.append(_add(_passthrough(device)))
        elif device.kind == "serial":
            changes.append(_add(_serial(device, number)))
        elif device.kind == "usb":
            if not any(isinstance(c.device, vim.vm.device.VirtualUSBXHCIController) for c in changes):
                changes.append(_add(vim.vm.device.VirtualUSBXHCIController(key=USB_CONTROLLER_KEY)))
            changes.append(_add(vim.vm.device.VirtualUSB(
                key=-(700 + number), controllerKey=USB_CONTROLLER_KEY, connected=True,
                backing=vim.vm.device.VirtualUSB.USBBackingInfo(deviceName=device.target))))
    return vim.vm.ConfigSpec(deviceChange=changes) if changes else None


def _guest_facts(vm: VmSpec) -> list[vim.option.OptionValue]:
    """The simulator's SET.<property> keys: it assigns the value to that property instead of storing the key."""
    running = vm.power_state == "poweredOn" and vm.tools in ("toolsOk", "toolsOld")
    facts: dict[str, Any] = {
        "config.guestId": vm.guest_id, "summary.config.guestId": vm.guest_id,
        "config.guestFullName": vm.guest_full_name, "summary.config.guestFullName": vm.guest_full_name,
        "guest.guestFamily": "windowsGuest" if vm.guest_id.startswith("win") else "linuxGuest",
        "guest.toolsStatus": vm.tools if running or vm.tools == "toolsNotInstalled" else "toolsNotRunning",
        "guest.toolsRunningStatus": "guestToolsRunning" if running else "guestToolsNotRunning",
    }
    if vm.tools_version:
        facts["guest.toolsVersion"] = vm.tools_version
    if running:
        facts.update({"guest.guestId": vm.guest_id, "guest.guestFullName": vm.guest_full_name,
                      "summary.guest.guestId": vm.guest_id, "summary.guest.guestFullName": vm.guest_full_name})
        if vm.hostname:
            facts.update({"guest.hostName": vm.hostname, "summary.guest.hostName": vm.hostname})
    return [vim.option.OptionValue(key=f"SET.{key}", value=value) for key, value in facts.items()]


def _add(device: Any, create_file: bool = False) -> vim.vm.device.VirtualDeviceSpec:
    return vim.vm.device.VirtualDeviceSpec(operation="add", device=device, fileOperation="create" if create_file
                                           else None)


def _controller(controller: ControllerSpec, key: int) -> vim.vm.device.VirtualDeviceSpec:
    device = CONTROLLER_TYPES[controller.model](key=key, busNumber=controller.bus)
    if controller.kind == "scsi":
        device.sharedBus = controller.sharing
    return _add(device)


def _disk(index: int, disk: DiskSpec, controller_key: int) -> vim.vm.device.VirtualDeviceSpec:
    backing = vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
        fileName=f"[{disk.datastore}]", diskMode=disk.mode, thinProvisioned=disk.provisioning == "thin",
        eagerlyScrub=disk.provisioning == "eager", sharing=disk.sharing)
    device = vim.vm.device.VirtualDisk(key=-(2000 + index), controllerKey=controller_key, unitNumber=disk.unit,
                                       capacityInKB=disk.size_gb * 1024 * 1024, backing=backing)
    return _add(device, create_file=True)


def _nic(index: int, nic: NicSpec, dv_port: DvPort | None, powered_on: bool) -> vim.vm.device.VirtualDeviceSpec:
    if dv_port is None:
        backing = vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(deviceName=nic.network)
    else:
        backing = vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo(
            port=vim.dvs.PortConnection(switchUuid=dv_port.switch_uuid, portgroupKey=dv_port.portgroup_key))
    device = NIC_TYPES[nic.adapter](
        key=-(4000 + index), backing=backing, addressType="generated",
        connectable=vim.vm.device.VirtualDevice.ConnectInfo(startConnected=nic.connected,
                                                           connected=nic.connected and powered_on))
    return _add(device)


def _cdrom(device: DeviceSpec) -> vim.vm.device.VirtualDeviceSpec:
    if device.backing == "iso":
        backing = vim.vm.device.VirtualCdrom.IsoBackingInfo(fileName=device.target)
    else:
        backing = vim.vm.device.VirtualCdrom.RemotePassthroughBackingInfo(deviceName="", exclusive=False)
    return _add(vim.vm.device.VirtualCdrom(
        key=-3000, controllerKey=IDE0_KEY, unitNumber=0, backing=backing,
        connectable=vim.vm.device.VirtualDevice.ConnectInfo(startConnected=True, connected=True)))


def _passthrough(device: DeviceSpec) -> vim.vm.device.VirtualPCIPassthrough:
    backing = vim.vm.device.VirtualPCIPassthrough.DeviceBackingInfo(
        id=device.target, deviceId=format(device.device_id or 0, "x"), vendorId=device.vendor_id or 0,
        systemId="", deviceName=device.label or "")
    return vim.vm.device.VirtualPCIPassthrough(key=-500, backing=backing)


def _serial(device: DeviceSpec, number: int) -> vim.vm.device.VirtualSerialPort:
    if device.backing == "file":
        backing = vim.vm.device.VirtualSerialPort.FileBackingInfo(fileName=device.target)
    elif device.backing == "network":
        backing = vim.vm.device.VirtualSerialPort.URIBackingInfo(direction="server", serviceURI=device.target)
    else:
        backing = vim.vm.device.VirtualSerialPort.PipeBackingInfo(pipeName=device.target, endpoint="server")
    return vim.vm.device.VirtualSerialPort(key=-(800 + number), backing=backing, yieldOnPoll=True)
