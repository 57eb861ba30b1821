"""A VM's virtual hardware (config.hardware.device) as the inventory model's disks, NICs, controllers and devices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrate.discovery.vcenter.estate import EstateIndex
from migrate.clients.vsphere.soap import as_list
from migrate.clients.vsphere.values import boolean, dig, integer, kind_of, text
from migrate.inventory.model import Controller, Device, Disk, Nic

CONTROLLERS = {
    "VirtualLsiLogicController": ("scsi", "lsilogic"),
    "VirtualLsiLogicSASController": ("scsi", "lsilogic-sas"),
    "ParaVirtualSCSIController": ("scsi", "pvscsi"),
    "VirtualBusLogicController": ("scsi", "buslogic"),
    "VirtualAHCIController": ("sata", "ahci"),
    "VirtualIDEController": ("ide", "ide"),
    "VirtualNVMEController": ("nvme", "nvme"),
    "VirtualUSBController": ("usb", "usb2"),
    "VirtualUSBXHCIController": ("usb", "usb3"),
}

NIC_ADAPTERS = {
    "VirtualVmxnet3": "vmxnet3",
    "VirtualVmxnet3Vrdma": "vrdma",
    "VirtualVmxnet2": "vmxnet2",
    "VirtualVmxnet": "vmxnet",
    "VirtualE1000": "e1000",
    "VirtualE1000e": "e1000e",
    "VirtualPCNet32": "pcnet32",
    "VirtualSriovEthernetCard": "sriov",
}

DISK_BACKINGS = {
    "VirtualDiskFlatVer2BackingInfo": "flat",
    "VirtualDiskFlatVer1BackingInfo": "flat",
    "VirtualDiskSparseVer2BackingInfo": "sparse",
    "VirtualDiskSparseVer1BackingInfo": "sparse",
    "VirtualDiskSeSparseBackingInfo": "sesparse",
    "VirtualDiskRawDiskMappingVer1BackingInfo": "rdm",
    "VirtualDiskRawDiskVer2BackingInfo": "raw",
    "VirtualDiskPartitionedRawDiskVer2BackingInfo": "raw",
    "VirtualDiskLocalPMemBackingInfo": "pmem",
}

# Devices that matter to a migration, beyond disks, NICs and controllers.
OTHER_DEVICES = {
    "VirtualCdrom": "cdrom",
    "VirtualFloppy": "floppy",
    "VirtualUSB": "usb",
    "VirtualSerialPort": "serial",
    "VirtualParallelPort": "parallel",
    "VirtualPCIPassthrough": "pci_passthrough",
    "VirtualTPM": "tpm",
    "VirtualEnsoniq1371": "sound",
    "VirtualHdAudioCard": "sound",
    "VirtualSoundBlaster16": "sound",
    "VirtualPrecisionClock": "precision_clock",
    "VirtualWDT": "watchdog",
}

BACKING_KINDS = {
    "IsoBackingInfo": "iso",
    "ImageBackingInfo": "image",
    "AtapiBackingInfo": "host_device",
    "DeviceBackingInfo": "host_device",
    "RemotePassthroughBackingInfo": "client_device",
    "RemoteAtapiBackingInfo": "client_device",
    "RemoteDeviceBackingInfo": "client_device",
    "FileBackingInfo": "file",
    "PipeBackingInfo": "pipe",
    "URIBackingInfo": "network",
    "USBBackingInfo": "host_device",
    "RemoteHostBackingInfo": "host_device",
    "RemoteClientBackingInfo": "client_device",
    "VmiopBackingInfo": "vgpu",
    "DynamicBackingInfo": "dynamic_passthrough",
}


@dataclass
class Hardware:
    controllers: list[Controller] = field(default_factory=list)
    disks: list[Disk] = field(default_factory=list)
    nics: list[Nic] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)


def read_hardware(devices: Any, index: EstateIndex) -> Hardware:
    hardware = Hardware()
    controllers: dict[int | None, Controller] = {}
    items = as_list(devices)
    for device in items:
        kind = kind_of(device)
        if kind in CONTROLLERS:
            controller = _controller(device, *CONTROLLERS[kind])
            controllers[controller.key] = controller
            hardware.controllers.append(controller)
    for device in items:
        kind = kind_of(device)
        if kind == "VirtualDisk":
            hardware.disks.append(_disk(device, controllers, index))
        elif kind in NIC_ADAPTERS:
            hardware.nics.append(_nic(device, NIC_ADAPTERS[kind], index))
        elif kind in OTHER_DEVICES:
            hardware.devices.append(_device(device, OTHER_DEVICES[kind]))
    return hardware


def _controller(device: dict[str, Any], kind: str, model: str) -> Controller:
    return Controller(
        key=integer(device.get("key")),
        kind=kind,
        model=model,
        bus_number=integer(device.get("busNumber")),
        bus_sharing=text(device.get("sharedBus")),
    )


def _disk(device: dict[str, Any], controllers: dict[int | None, Controller], index: EstateIndex) -> Disk:
    backing = device.get("backing") or {}
    controller = controllers.get(integer(device.get("controllerKey")))
    capacity = integer(device.get("capacityInBytes"))
    if not capacity:
        kilobytes = integer(device.get("capacityInKB"))
        capacity = kilobytes * 1024 if kilobytes is not None else None
    datastore = text(backing.get("datastore"))
    backing_kind = DISK_BACKINGS.get(kind_of(backing), "other")
    return Disk(
        key=integer(device.get("key")),
        label=text(dig(device, "deviceInfo", "label")),
        capacity_bytes=capacity,
        controller_key=integer(device.get("controllerKey")),
        controller_kind=controller.kind if controller else None,
        controller_model=controller.model if controller else None,
        bus_number=controller.bus_number if controller else None,
        unit_number=integer(device.get("unitNumber")),
        thin=boolean(backing.get("thinProvisioned")),
        eager_zero=boolean(backing.get("eagerlyScrub")),
        datastore=index.datastore_names.get(datastore, datastore) if datastore else None,
        file_path=text(backing.get("fileName")),
        disk_mode=text(backing.get("diskMode")),
        sharing=text(backing.get("sharing")),
        backing=backing_kind,
        rdm_mode=text(backing.get("compatibilityMode")) if backing_kind == "rdm" else None,
        key_id=text(dig(backing, "keyId", "keyId")),
        uuid=text(backing.get("uuid")),
    )


def _nic(device: dict[str, Any], adapter: str, index: EstateIndex) -> Nic:
    backing = device.get("backing") or {}
    nic = Nic(
        key=integer(device.get("key")),
        label=text(dig(device, "deviceInfo", "label")),
        adapter_type=adapter,
        mac=text(device.get("macAddress")),
        address_type=_address_type(text(device.get("addressType"))),
        network=None,
        connected=boolean(dig(device, "connectable", "connected")),
        start_connected=boolean(dig(device, "connectable", "startConnected")),
    )
    kind = kind_of(backing)
    if kind == "VirtualEthernetCardDistributedVirtualPortBackingInfo":
        nic.network_kind = "distributed"
        nic.portgroup_key = text(dig(backing, "port", "portgroupKey"))
        nic.switch_uuid = text(dig(backing, "port", "switchUuid"))
        network = index.networks_by_key.get(nic.portgroup_key or "")
        nic.network = network.name if network else nic.portgroup_key
        nic.vlan = network.vlan if network else None
    elif kind == "VirtualEthernetCardNetworkBackingInfo":
        nic.network_kind = "standard"
        network = index.networks.get(text(backing.get("network")) or "")
        nic.network = text(backing.get("deviceName")) or (network.name if network else None)
        nic.vlan = network.vlan if network else None
    elif kind == "VirtualEthernetCardOpaqueNetworkBackingInfo":
        nic.network_kind = "opaque"
        nic.network = text(backing.get("opaqueNetworkId"))
    return nic


def _address_type(value: str | None) -> str | None:
    return value.lower() if value else None


def _device(device: dict[str, Any], kind: str) -> Device:
    backing = device.get("backing")
    backing_type = kind_of(backing)
    if kind == "pci_passthrough" and backing_type.endswith("VmiopBackingInfo"):
        kind = "vgpu"
    return Device(
        kind=kind,
        label=text(dig(device, "deviceInfo", "label")),
        backing=_backing_kind(backing_type, kind),
        summary=_device_summary(backing) or text(dig(device, "deviceInfo", "summary")),
        connected=boolean(dig(device, "connectable", "connected")),
        start_connected=boolean(dig(device, "connectable", "startConnected")),
    )


def _backing_kind(backing_type: str, kind: str) -> str | None:
    if kind == "pci_passthrough" and backing_type.endswith("DeviceBackingInfo"):
        return "passthrough"
    # Longest suffix first: "RemoteDeviceBackingInfo" must not be read as "DeviceBackingInfo".
    for suffix, name in sorted(BACKING_KINDS.items(), key=lambda item: -len(item[0])):
        if backing_type.endswith(suffix):
            return name
    return None


def _device_summary(backing: Any) -> str | None:
    """The most telling detail of a backing: the ISO or file name, the vGPU profile, the PCI id."""
    if not isinstance(backing, dict):
        return None
    for name in ("fileName", "vgpu", "id", "deviceName", "serviceURI", "pipeName"):
        value = text(backing.get(name))
        if value:
            return value
    return None
