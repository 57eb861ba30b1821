"""Does a VM's assessment contradict its own mapped config, or the run's preflight? One check per rule family.

`contradictions(assessment)` returns one line per disagreement (empty when the findings, the config and
preflight agree). Each family reads the config the mapper produced (`assessment.config.params`), never the
facts the rule itself read, so a rule that drifts from the mapper (or from preflight) shows up here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from migrate.errors import PreflightError
from migrate.execution.steps.preflight import check_source
from migrate.clients.vsphere.source_state import SourceState
from migrate.mapping.guest import WINDOWS_OSTYPES
from migrate.readiness.assess import VmAssessment
from migrate.readiness.rule import Finding, Severity, Verdict
from tests.execution.planned import make_planned_vm

_DRIVERS = {"virtio": "vtnet", "vmxnet3": "vmx", "e1000": "em", "e1000e": "em", "pcnet32": "le"}
_CPU_LEVELS = {"x86-64-v2": ("host", "x86-64-v2", "x86-64-v2-AES", "x86-64-v3", "x86-64-v4"),
               "x86-64-v3": ("host", "x86-64-v3", "x86-64-v4")}


class Config:
    """The mapped config's facts the families compare with: boot bus, controller, NIC models, named options."""

    def __init__(self, params: dict) -> None:
        self.params = params
        boot = str(params.get("boot", "")).removeprefix("order=").split(";")[0]
        self.boot_bus = boot.rstrip("0123456789") or None
        self.scsihw = str(params.get("scsihw", ""))
        self.nic_models = [str(v).split("=", 1)[0].split(",", 1)[0] for k, v in params.items() if _is_slot(k, "net")]
        self.disk_buses = [k.rstrip("0123456789") for k, v in params.items()
                           if _is_slot(k, "scsi", "sata", "ide", "virtio") and "media=cdrom" not in str(v)]

    @property
    def boots_on_virtio_scsi(self) -> bool:
        return self.boot_bus == "scsi" and self.scsihw.startswith("virtio-scsi")


def _is_slot(key: str, *prefixes: str) -> bool:
    return any(key.startswith(p) and key[len(p):].isdigit() for p in prefixes)


def preflight_refuses(assessment: VmAssessment) -> str | None:
    """The run's own preflight check of the source, fed the discovered facts: its refusal, or None."""
    vm = assessment.vm
    now = SourceState(vm.name, vm.power_state or "poweredOff", tuple(s.name for s in vm.snapshots),
                      bool(vm.consolidation_needed), ())
    try:
        check_source(make_planned_vm(vm.name, disks=()), now)
    except PreflightError as refused:
        return str(refused)
    return None


def _preflight(a: VmAssessment, c: Config) -> Iterator[str]:
    refused = preflight_refuses(a)
    if refused and a.verdict is not Verdict.NOT_READY:
        yield f"preflight refuses it ({refused}) but readiness says {a.verdict}"


def _boot_devices(a: VmAssessment, c: Config) -> Iterator[str]:
    """Findings about drivers and controllers say what the config's boot disk and NICs really are."""
    for f in a.findings:
        if f.rule_id == "DRV-01" and not (c.boot_bus == "sata" and set(c.nic_models) <= {"e1000e"}):
            yield f"DRV-01 says SATA and e1000e, the config boots {c.boot_bus} with {c.nic_models}"
        # DRV-02 warns of a virtio-scsi boot only when no conversion puts the VirtIO modules in the initramfs.
        risky = c.boots_on_virtio_scsi and not (f.rule_id == "DRV-02" and _conversion_brings_virtio(a))
        if f.rule_id in ("DRV-02", "FW-02") and (f.severity is Severity.WARNING) != risky:
            yield f"{f.rule_id} {f.severity} ({f.message}) while the config boots {c.boot_bus} on {c.scsihw}"
        if f.rule_id == "DRV-03" and (set(c.disk_buses) != {"ide"} or c.params.get("agent") != "enabled=0"
                                      or set(c.nic_models) & {"virtio", "e1000e"}):
            yield f"DRV-03 says IDE, an old NIC and no agent; the config has {c.disk_buses}, {c.nic_models}"
        if f.rule_id == "OS-02":
            says_emulated = "keeps emulated devices" in f.remedy
            if says_emulated == (c.boots_on_virtio_scsi and set(c.nic_models) == {"virtio"}):
                yield f"OS-02 ({f.remedy}) while the config boots {c.boot_bus} on {c.scsihw} with {c.nic_models}"
        if "VirtIO SCSI driver before the move" in f.remedy and f.severity is not Severity.INFO \
                and "scsi" not in c.disk_buses:
            yield f"{f.rule_id} asks for a VirtIO SCSI driver, the config has no SCSI disk ({c.disk_buses})"
        if f.rule_id == "DSK-11" and "boot disk" in f.message and not c.boots_on_virtio_scsi:
            yield f"DSK-11 says the NVMe boot disk becomes VirtIO SCSI, the config boots {c.boot_bus}"
        if "virtio nic" in (f.message + f.remedy).lower() and "virtio" not in c.nic_models:
            yield f"{f.rule_id} says a VirtIO NIC ({f.message}), the config's NICs are {c.nic_models}"


def _conversion_brings_virtio(a: VmAssessment) -> bool:
    conversion = a.config.conversion or {}
    return bool(conversion.get("convert")) and (conversion.get("guest") == "linux" or bool(conversion.get("virtio_win")))


def _conversion(a: VmAssessment, c: Config) -> Iterator[str]:
    """CNV findings say what the plan's conversion does; a config on VirtIO only because of it keeps a safe one."""
    conversion = a.config.conversion or {}
    ids = {f.rule_id for f in a.findings}
    if ("CNV-01" in ids) != (bool(conversion.get("convert")) and (conversion.get("guest") != "windows"
                                                                  or bool(conversion.get("virtio_win")))):
        yield f"CNV-01 {'given' if 'CNV-01' in ids else 'missing'} while the conversion is {conversion}"
    for f in a.findings:
        if f.rule_id == "CNV-02" and ("safe config" in f.message) == c.boots_on_virtio_scsi:
            yield f"CNV-02 ({f.message}) while the config boots {c.boot_bus} on {c.scsihw}"
    unconverted = a.config.unconverted
    if unconverted is not None:
        safe = Config(unconverted.params)
        if not _conversion_brings_virtio(a) or safe.boots_on_virtio_scsi and set(safe.nic_models) == {"virtio"}:
            yield f"an unconverted config ({safe.boot_bus}, {safe.nic_models}) beside the conversion {conversion}"
        if len(safe.disk_buses) != len(c.disk_buses):
            yield f"the unconverted config holds {len(safe.disk_buses)} disks, the config {len(c.disk_buses)}"


def _nic_names(a: VmAssessment, c: Config) -> Iterator[str]:
    for f in a.findings:
        if f.rule_id != "NET-07":
            continue
        for rename in f.evidence["renames"]:
            new = rename.split("->")[1].rstrip("0123456789")
            if {_DRIVERS.get(m) for m in c.nic_models} != {new}:
                yield f"NET-07 renames to {new}, the config's NICs are {c.nic_models}"


def _every_disk_placed(a: VmAssessment, c: Config) -> Iterator[str]:
    """A disk the config leaves out is a blocker (DSK-13), never a silent note."""
    if len(c.disk_buses) < len(a.vm.disks) and not any(f.rule_id == "DSK-13" for f in a.findings):
        yield f"the config holds {len(c.disk_buses)} of the VM's {len(a.vm.disks)} disks and no DSK-13 says so"


def _devices_the_config_has(a: VmAssessment, c: Config) -> Iterator[str]:
    """A finding that says the config has a device (EFI vars, TPM state, kept UUID) is backed by that device."""
    p = c.params
    wanted: dict[str, Callable[[Finding], bool]] = {
        "FW-01": lambda f: p.get("bios") == "ovmf" and "efidisk0" in p,
        "FW-03": lambda f: "pre-enrolled-keys=1" in str(p.get("efidisk0", "")),
        "SEC-01": lambda f: "tpmstate0" in p,
        "CPU-01": lambda f: p.get("balloon") == 0,
        "ID-03": lambda f: p.get("smbios1") == f"uuid={str(f.evidence['bios_uuid']).lower()}",
        "ID-01": lambda f: p.get("name") == f.evidence["proxmox_name"],
        "ID-02": lambda f: p.get("name") == f.evidence["proxmox_name"],
        "NET-01": lambda f: p.get("ostype") in WINDOWS_OSTYPES,
        "NET-02": lambda f: p.get("ostype") in ("l26", "l24"),
        "NET-05": lambda f: len(c.nic_models) == 32,
    }
    for f in a.findings:
        check = wanted.get(f.rule_id)
        if check and not check(f):
            yield f"{f.rule_id} ({f.message}) but the config says otherwise: {_relevant(p, f.rule_id)}"
        if f.rule_id == "OS-05":
            level = f.message.rsplit(" ", 1)[-1]
            if p.get("cpu") not in _CPU_LEVELS.get(level, (p.get("cpu"),)):
                yield f"OS-05 needs {level}, the config's cpu is {p.get('cpu')}"
    if any(u.rule_id == "OS-01" for u in a.unknowns) and p.get("ostype") != "other":
        yield f"OS-01 says the guest OS is unknown, the config's ostype is {p.get('ostype')}"


def _evidence_names_the_vm_devices(a: VmAssessment, c: Config) -> Iterator[str]:
    disks = {d.label for d in a.vm.disks}
    nics = {n.label for n in a.vm.nics}
    for f in a.findings:
        for key in f.evidence:
            for kind, labels in (("disks[", disks), ("nics[", nics)):
                if key.startswith(kind) and key[len(kind):].split("]")[0] not in {str(x) for x in labels}:
                    yield f"{f.rule_id} names {key}, which the VM does not have"


def _relevant(params: dict, rule_id: str) -> dict:
    keys = {"FW-01": ("bios", "efidisk0"), "FW-03": ("efidisk0",), "SEC-01": ("tpmstate0",), "CPU-01": ("balloon",),
            "ID-03": ("smbios1",), "ID-01": ("name",), "ID-02": ("name",), "NET-01": ("ostype",),
            "NET-02": ("ostype",)}.get(rule_id, ())
    return {k: params.get(k) for k in keys}


FAMILIES: dict[str, Callable[[VmAssessment, Config], Iterator[str]]] = {
    "preflight": _preflight,
    "boot devices": _boot_devices,
    "NIC names": _nic_names,
    "conversion": _conversion,
    "devices the config has": _devices_the_config_has,
    "disks placed": _every_disk_placed,
    "evidence": _evidence_names_the_vm_devices,
}


def contradictions(assessment: VmAssessment) -> list[str]:
    """Every disagreement between the assessment, its config and preflight, as `VM: family: what`."""
    config = Config(assessment.config.params)
    return [f"{assessment.vm.name}: {family}: {line}"
            for family, check in FAMILIES.items() for line in check(assessment, config)]
