"""The guest test bed boots: "as on VMware" it comes up with its static address on ens192, and on the VirtIO
config the mapper gives a Debian guest, unconverted, its VMware-only initramfs cannot find the root disk, which
proves the boot check can fail. Each boot takes a minute or so under TCG (marked `guest`)."""

from __future__ import annotations

import pytest

from lab.guest_boot import Drive, boot, proxmox_machine, vmware_machine
from lab.guest_image import GUEST
from migrate.mapping.mapper import map_vm
from migrate.mapping.model import TargetFacts
from tests.readiness.factories import make_mappings, make_vm

pytestmark = [pytest.mark.slow, pytest.mark.guest]
MAC = "00:50:56:00:13:01"
DEBIAN = {"guest_id": "debian12_64Guest", "guest_full_name": "Debian GNU/Linux 12 (64-bit)"}


def test_guest_as_on_vmware_boots_with_its_static_address_on_ens192(guest_vmdk):
    result = boot(vmware_machine(Drive(guest_vmdk, "vmdk"), MAC))

    assert result.booted, result.tail()
    assert (result.interface, result.address, result.vmtools) == (GUEST.interface, GUEST.address, True)
    print(f"VMware boot: {result.seconds:.0f} s")


def test_unconverted_guest_on_the_mapped_virtio_config_does_not_find_its_root_disk(guest_vmdk):
    config = map_vm(make_vm(name="deb12", memory_mb=1024, **DEBIAN), make_mappings(), TargetFacts())
    assert config.params["scsihw"] == "virtio-scsi-single" and str(config.params["net0"]).startswith("virtio=")

    result = boot(proxmox_machine(config.params, {"scsi0": Drive(guest_vmdk, "vmdk")}))

    assert not result.booted, result.tail()
    assert "Gave up waiting for root" in result.console, result.tail()
    print(f"unconverted VirtIO boot failed after {result.seconds:.0f} s")
