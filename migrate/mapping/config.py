"""The Proxmox config the mapper produces: API parameters plus the notes a consultant must read."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ProxmoxConfig:
    """Parameters for `POST /nodes/{node}/qemu` (without vmid), in a stable order.

    Disks use the allocation syntax `<storage>:<GiB>`; the executor swaps in `import-from` when
    it copies the data. `virtio_variant` is set for Windows guests mapped to emulated devices: the
    config to switch to once the VirtIO drivers are installed.
    """

    source_name: str
    name: str
    params: dict[str, str | int]
    notes: tuple[str, ...] = ()
    virtio_variant: ProxmoxConfig | None = field(default=None, repr=False)
    conversion: dict | None = field(default=None, repr=False)  # mapping/conversion.py: whether, and what it keeps
    # A guest on VirtIO only because the conversion installs its drivers: its config for a run that does not convert.
    unconverted: ProxmoxConfig | None = field(default=None, repr=False)

    @property
    def ostype(self) -> str:
        return str(self.params.get("ostype", ""))

    @property
    def bridges(self) -> list[str]:
        """The bridges the NICs attach to, in NIC order, without repeats."""
        found: list[str] = []
        for key, value in self.params.items():
            if key.startswith("net"):
                bridge = _option(str(value), "bridge")
                if bridge and bridge not in found:
                    found.append(bridge)
        return found

    @property
    def disk_slots(self) -> list[str]:
        """The slots holding the VM's disks (not a CD-ROM, EFI vars or TPM state), in the config's order."""
        return disk_slots(self.params)

    def api_params(self, vmid: int | None = None) -> dict[str, str | int]:
        """The parameters as the API takes them; with `vmid` ready to POST."""
        return {"vmid": vmid, **self.params} if vmid is not None else dict(self.params)

    def qm_create(self, vmid: int | None = None) -> str:
        """The equivalent `qm create` command line, every value shell-quoted."""
        words = ["qm", "create", str(vmid) if vmid is not None else "VMID"]
        for key, value in self.params.items():
            words += [f"--{key}", shlex.quote(str(value))]
        return " ".join(words)


def disk_slots(params: dict) -> list[str]:
    """The disk slots of config `params` (scsiN, sataN, ideN, virtioN without media=cdrom), in their order."""
    return [key for key, value in params.items()
            if key.rstrip("0123456789") in ("scsi", "sata", "ide", "virtio") and key[-1:].isdigit()
            and "media=cdrom" not in str(value)]


def _option(spec: str, name: str) -> str | None:
    for part in spec.split(","):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return None
