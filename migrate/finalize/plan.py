"""The whole plan of changes for a wave: HA resources first, then the rules over them, then backup coverage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrate.finalize.backup import plan_backups, plan_first_backups
from migrate.finalize.ha import plan_ha_resources, sid_of
from migrate.finalize.model import FinalizePlan, HaSettings, MigratedVm, TargetState
from migrate.finalize.rules import plan_ha_rules
from migrate.finalize.wave import WaveFacts


@dataclass(frozen=True)
class FinalizeOptions:
    """What the consultant asked of `migrate finalize`."""

    only: tuple[str, ...] = ()  # --vm: these VMs of the wave only
    dry_run: bool = False
    backup_job: str | None = None  # --backup-job: add the uncovered VMs to this job
    backup_job_template: dict[str, Any] | None = None  # --backup-job-template: create that job with these settings
    first_backup: bool = False  # --first-backup: back up now each VM that has no backup yet
    backup_timeout: float = 3600.0  # how long one VM's first backup may take
    ha: HaSettings = field(default_factory=HaSettings)


def plan_finalize(wave: int, facts: WaveFacts, state: TargetState, options: FinalizeOptions) -> FinalizePlan:
    """What finalize would change on the target, and what it leaves as it is with the reason (pure)."""
    plan = FinalizePlan(wave, notes=list(facts.notes))
    ha_changes, ha_notes = plan_ha_resources(facts.vms, state, options.ha, wave)
    managed = {vm.name: sid_of(vm) for vm in facts.vms + facts.elsewhere if _managed_and_ours(vm, state)}
    managed.update({change.vms[0]: change.object_id for change in ha_changes})
    rule_changes, rule_notes = plan_ha_rules(facts.clusters, {vm.name for vm in facts.vms}, managed,
                                             state.ha_rules, state.node_count)
    backup_changes, backup_notes = plan_backups(facts.vms, state, options.backup_job, options.backup_job_template)
    if options.first_backup:
        first, first_notes = plan_first_backups(facts.vms, state, backup_changes)
        backup_changes, backup_notes = backup_changes + first, backup_notes + first_notes
    plan.changes += ha_changes + rule_changes + backup_changes
    plan.notes += ha_notes + rule_notes + backup_notes
    return plan


def _managed_and_ours(vm: MigratedVm, state: TargetState) -> bool:
    guest = state.guests.get(vm.vmid)
    return sid_of(vm) in state.ha_resources and guest is not None and guest.not_ours is None
