"""Every VM of every estate in the tests: no finding contradicts its mapped config, and preflight never refuses
a VM that readiness let through. The checks per rule family are in `tests/readiness/agreement.py`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lab.estate import estate_to_inventory, load_estate_file
from lab.export import SAMPLE_EXPORT
from migrate.discovery.rvtools import read_rvtools
from migrate.inventory.model import Controller, Inventory, Snapshot
from migrate.mapping import TargetFacts, load_mappings
from migrate.readiness import assess
from migrate.readiness.assess import assess_vm
from migrate.readiness.context import build_context
from migrate.readiness.rule import Rule, Severity, Verdict
from migrate.readiness.rules import ALL_RULES, LoadedRule
from migrate.readiness.rules import dsk_08_snapshots
from tests.readiness.agreement import contradictions, preflight_refuses
from tests.readiness.factories import make_disk, make_mappings, make_nic, make_vm, with_override
from tests.rvtools.rvtools_factories import make_inventory as rvtools_inventory

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_MAP = ROOT / "sample_inventory" / "mappings.yaml"
KUBEV2V = ROOT / "tests" / "data" / "rvtools" / "kubev2v-migration-planner-example1.xlsx"
LSI = dict(controller_model="lsilogic")
NVME = dict(controller_kind="nvme", controller_model="nvme")


def _factory_estate() -> tuple[Inventory, object]:
    """The guests whose config departs from VirtIO, each with the device that made a rule say otherwise once."""
    win = dict(guest_id="windows2019srv_64Guest", guest_full_name="Microsoft Windows Server 2019 (64-bit)")
    vms = [
        make_vm(name="win-efi-lsi", firmware="efi", disks=[make_disk(**LSI)], controllers=[Controller(1000, "scsi", "lsilogic", 0)], **win),
        make_vm(name="win-nvme", firmware="efi", disks=[make_disk(**NVME), make_disk(label="Hard disk 2", unit_number=1, **NVME)], **win),
        make_vm(name="win-sriov", nics=[make_nic(adapter_type="sriov")], **win),
        make_vm(name="win-unknown-id", guest_id="windows99_64Guest", guest_family="windowsGuest", guest_full_name=None),
        make_vm(name="win11-vtpm", guest_id="windows11_64Guest", firmware="efi", vtpm=True),
        make_vm(name="win11-no-vtpm", guest_id="windows11_64Guest", firmware="efi", secure_boot=True, vtpm=False),
        make_vm(name="winxp", guest_id="winXPProGuest", guest_full_name="Microsoft Windows XP Professional (32-bit)"),
        make_vm(name="winxp-5-disks", guest_id="winXPProGuest", disks=[make_disk(label=f"Hard disk {n}", unit_number=n) for n in range(5)]),
        make_vm(name="freebsd", guest_id="freebsd13_64Guest", guest_full_name="FreeBSD 13 (64-bit)"),
        make_vm(name="solaris", guest_id="solaris11_64Guest", guest_full_name="Oracle Solaris 11 (64-bit)"),
        make_vm(name="rhel-pvscsi", guest_id="rhel9_64Guest"),
        make_vm(name="rhel-lsi", guest_id="rhel7_64Guest", disks=[make_disk(**LSI)], controllers=[Controller(1000, "scsi", "lsilogic", 0)]),
        make_vm(name="rhel10", guest_id="rhel10_64Guest"),
        make_vm(name="snapped", snapshots=[Snapshot("before patch")]),
        make_vm(name="unconsolidated", consolidation_needed=True),
        make_vm(name="latency", memory_reservation_mb=4096, latency_sensitivity="high"),
        make_vm(name="web shop (old)", bios_uuid="4201AAAA-0000-0000-0000-00000000ABCD"),
        make_vm(name="many-nics", nics=[make_nic(label=f"Network adapter {n}", mac=f"00:50:56:01:03:{n:02x}") for n in range(34)]),
    ]
    for number, vm in enumerate(vms, start=1):  # each its own identity, as vCenter gives them
        vm.moref, vm.instance_uuid = f"vm-{number}", f"5001aaaa-0000-0000-0000-{number:012d}"
        vm.disks = [replace(d, file_path=f"[ds1] vm{number}/disk{i}.vmdk") for i, d in enumerate(vm.disks)]
        vm.nics = [replace(n, mac=f"00:50:56:02:{number:02x}:{i:02x}") for i, n in enumerate(vm.nics)]
    mappings = with_override(make_mappings(), "rhel10", virtio_drivers=True)
    return Inventory("vc1.example.com", vms=vms), mappings


def _estates():
    yield "lab estate", lambda: (estate_to_inventory(load_estate_file()), load_mappings(SAMPLE_MAP))
    yield "sample RVTools export", lambda: (read_rvtools(SAMPLE_EXPORT).inventory, load_mappings(SAMPLE_MAP))
    yield "kubev2v RVTools export", lambda: (read_rvtools(KUBEV2V).inventory, load_mappings())
    yield "factory estate", _factory_estate
    yield "RVTools factory inventory", lambda: (rvtools_inventory(), load_mappings())


ESTATES = dict(_estates())


# Without and with the virtio-win ISO on the target: Windows guests keep their safe config, or go VirtIO at once.
TARGETS = {"no ISO": TargetFacts(), "virtio-win ISO": TargetFacts(virtio_win="/var/lib/vz/template/iso/virtio-win.iso")}


@pytest.fixture(scope="module", params=[(e, t) for e in sorted(ESTATES) for t in TARGETS], ids="/".join)
def assessments(request):
    estate, target = request.param
    inventory, mappings = ESTATES[estate]()
    return assess(inventory, mappings, TARGETS[target])


def test_no_finding_contradicts_the_mapped_config_or_preflight(assessments):
    assert [line for assessment in assessments for line in contradictions(assessment)] == []


def test_every_vm_preflight_would_refuse_is_not_ready(assessments):
    refused = [a for a in assessments if preflight_refuses(a)]
    assert all(a.verdict is Verdict.NOT_READY for a in refused), [a.vm.name for a in refused]


def test_the_estates_hold_vms_each_family_judges():
    """The check above would pass on an estate without snapshots or Windows: these estates have them."""
    inventory, mappings = _factory_estate()
    lab = assess(*ESTATES["lab estate"](), TargetFacts())
    refused = {a.vm.name for a in lab if preflight_refuses(a)}
    assert {"sql-prd-01", "app-upgrade-test", "test-sles-01", "tpl-win10-gold"} <= refused
    rule_ids = {f.rule_id for a in assess(inventory, mappings, TargetFacts()) + lab for f in a.findings}
    assert {"DRV-01", "DRV-02", "DRV-03", "FW-02", "OS-02", "DSK-11", "DEV-04", "NET-07", "SEC-01", "FW-03",
            "CPU-01", "ID-01", "ID-03", "OS-05", "NET-05", "DSK-08", "DSK-09", "DSK-13", "CNV-01", "CNV-02",
            "CNV-03"} <= rule_ids
    converted = assess(inventory, mappings, TARGETS["virtio-win ISO"])
    assert any(a.config.unconverted is not None and a.config.conversion["guest"] == "windows" for a in converted)


def _with_rule(loaded: LoadedRule, rule: Rule) -> tuple[LoadedRule, ...]:
    """ALL_RULES with `loaded`'s module reading `rule` instead of its own (as if that rule were edited back)."""
    def check(vm, ctx):
        for finding in loaded.check(vm, ctx):
            yield replace(finding, severity=rule.severity)
    return tuple(replace(other, check=check) if other is loaded else other for other in ALL_RULES)


def test_a_snapshot_warning_as_dsk_08_once_gave_is_caught():
    inventory, mappings = _factory_estate()
    context = build_context(inventory, mappings, TargetFacts())
    loaded = next(r for r in ALL_RULES if r.module == dsk_08_snapshots.__name__.rsplit(".", 1)[-1])
    rules = _with_rule(loaded, replace(dsk_08_snapshots.RULE, severity=Severity.WARNING))
    snapped = next(vm for vm in inventory.vms if vm.name == "snapped")
    assert contradictions(assess_vm(snapped, context)) == []
    (line,) = contradictions(assess_vm(snapped, context, rules))
    assert line.startswith("snapped: preflight: preflight refuses it (source VM snapped has 1 snapshot(s)")
    assert line.endswith("but readiness says Ready with conditions")


@pytest.mark.parametrize("name, change, expected", [
    ("win-sriov", lambda p: p.update(boot="order=scsi0"), "DRV-01 says SATA and e1000e"),
    ("win11-vtpm", lambda p: p.pop("tpmstate0"), "SEC-01"),
    ("win-efi-lsi", lambda p: p.update(boot="order=scsi0"), "FW-02 info"),
    ("freebsd", lambda p: p.update(net0="e1000=00:50:56:01:02:03,bridge=vmbr0"), "NET-07 renames to vtnet"),
    ("latency", lambda p: p.pop("balloon"), "CPU-01"),
    ("rhel-pvscsi", lambda p: p.pop("scsi0"), "the config holds 0 of the VM's 1 disks"),
])
def test_the_check_reports_a_config_that_departs_from_its_findings(name, change, expected):
    inventory, mappings = _factory_estate()
    context = build_context(inventory, mappings, TargetFacts())
    assessment = assess_vm(next(vm for vm in inventory.vms if vm.name == name), context)
    assert contradictions(assessment) == []
    params = dict(assessment.config.params)
    change(params)
    altered = replace(assessment, config=replace(assessment.config, params=params))
    assert any(expected in line for line in contradictions(altered)), contradictions(altered)
