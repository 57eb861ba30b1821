"""The report's rows as plain values, one registry of columns for the CSV and XLSX writers alike.

Sizes are GiB (binary): provisioned and to move (`migrate.inventory.sizes`) as whole numbers, memory with at
most two decimals.
Unknown values are empty cells, never zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from migrate.inventory.model import Vm
from migrate.inventory.sizes import vm_size
from migrate.readiness.assess import VmAssessment
from migrate.readiness.rule import Severity

GIB = 1024**3

VM_COLUMNS = (
    "vm", "datacenter", "cluster", "folder", "power_state", "guest_os", "vcpu", "memory_gb", "disks",
    "provisioned_gb", "to_move_gb", "bytes_estimated", "verdict", "blockers", "warnings", "finding_ids", "unmapped", "proxmox_name",
    "proxmox_ostype", "target_bridges",
)
FINDING_COLUMNS = ("vm", "rule_id", "severity", "message", "remedy", "evidence")
UNKNOWN_SEVERITY = "unknown"
UNKNOWN_REMEDY = "Complete the inventory: discover through the vSphere API, or export the missing RVTools columns"


def vm_rows(assessments: Iterable[VmAssessment], *, exact_sizes: bool = False) -> Iterator[tuple[Any, ...]]:
    """One row per VM, values in VM_COLUMNS order; `exact_sizes` gives the GiB unrounded (the workbook shows
    them with one decimal), else whole GiB as the CSV has them."""
    scale = (lambda size: size / GIB) if exact_sizes else (lambda size: round(size / GIB))
    for assessment in assessments:
        vm, size = assessment.vm, vm_size(assessment.vm)
        yield (
            vm.name, vm.datacenter, vm.cluster, vm.folder, vm.power_state, os_name(vm),
            vm.num_cpu, _memory_gib(vm.memory_mb), len(vm.disks), scale(size.provisioned_bytes),
            scale(size.to_move_bytes), "yes" if size.estimated else "no", str(assessment.verdict),
            assessment.count(Severity.BLOCKER), assessment.count(Severity.WARNING), _finding_ids(assessment),
            ";".join(assessment.unmapped),  # the mapping file's gaps, apart from the verdict
            assessment.config.name, assessment.config.ostype, ";".join(assessment.config.bridges),
        )


def os_name(vm: Vm) -> str | None:
    """The guest OS as the report names it: the configured full name, else the guest id."""
    return vm.guest_full_name or vm.guest_id


def attribute_names(assessments: Iterable[VmAssessment]) -> list[str]:
    """Every custom attribute some VM has (owner, application, cost centre...), by name."""
    return sorted({name for assessment in assessments for name in assessment.vm.custom_attributes or {}})


def finding_rows(assessments: Iterable[VmAssessment]) -> Iterator[tuple[str, ...]]:
    """One row per finding, then one per rule that lacked inputs (severity `unknown`), in FINDING_COLUMNS order."""
    for assessment in assessments:
        name = assessment.vm.name
        for finding in assessment.findings:
            yield (name, finding.rule_id, str(finding.severity), finding.message, finding.remedy, format_evidence(finding.evidence))
        for unknown in assessment.unknowns:
            yield (name, unknown.rule_id, UNKNOWN_SEVERITY, unknown.message, UNKNOWN_REMEDY, f"missing={unknown.missing}")


def format_evidence(evidence: dict[str, Any]) -> str:
    """`property=value; property=value`, lists joined by commas; a property with no value is left out."""
    texts = ((key, _text(value)) for key, value in evidence.items())
    return "; ".join(f"{key}={text}" for key, text in texts if text)


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return "" if value is None else str(value)


def _memory_gib(memory_mb: int | None) -> int | float | None:
    if memory_mb is None:
        return None
    gib = memory_mb / 1024
    return int(gib) if gib.is_integer() else round(gib, 2)


def _finding_ids(assessment: VmAssessment) -> str:
    ids = [finding.rule_id for finding in assessment.findings] + [unknown.rule_id for unknown in assessment.unknowns]
    return ";".join(dict.fromkeys(ids))
