"""Backup coverage: every migrated VM must be in an enabled vzdump job of /cluster/backup; with --backup-job the
VMs that are not are added to that job's VMID list (the job's other VMs and settings untouched); with
--first-backup each VM that has no backup yet on the storage of the job covering it is backed up now."""

from __future__ import annotations

import re
from typing import Any

from migrate.errors import NotFoundError
from migrate.finalize.model import Action, Change, Kind, MigratedVm, TargetGuest, TargetState


def split_vmids(text: Any) -> list[int]:
    """A PVE VMID list (`100,101` or `100 101;102`) as numbers."""
    return [int(item) for item in re.split(r"[\s,;]+", str(text or "")) if item.isdigit()]


def covers(job: dict[str, Any], guest: TargetGuest) -> bool:
    """Whether an enabled job backs the guest up, as vzdump selects: all (less the excluded), a pool, or VMIDs;
    a job bound to a node backs up only the guests on it."""
    if str(job.get("enabled", 1)) in ("0", "False", "false") or job.get("type", "vzdump") != "vzdump":
        return False
    if job.get("node") and job["node"] != guest.node:
        return False
    if str(job.get("all", 0)) in ("1", "True", "true"):
        return guest.vmid not in split_vmids(job.get("exclude"))
    if job.get("pool"):
        return guest.pool == job["pool"]
    return guest.vmid in split_vmids(job.get("vmid"))


def plan_backups(vms: list[MigratedVm], state: TargetState, job_id: str | None,
                 template: dict[str, Any] | None = None) -> tuple[list[Change], list[Change]]:
    """(changes, notes): the chosen job's VMID list grown by the VMs no enabled job covers (the job created from
    `template` if the target has none of that id); a note for each VM left uncovered."""
    guests = [(vm, state.guests[vm.vmid]) for vm in vms if _ours(vm, state)]
    uncovered = [(vm, g) for vm, g in guests if not any(covers(job, g) for job in state.backup_jobs.values())]
    if job_id is None:
        hint = _jobs_hint(state)
        return [], [Change(Kind.BACKUP_JOB, Action.NONE, "", (vm.name,), reason=f"VM {vm.vmid} is in no enabled "
                           f"backup job: add it with --backup-job ID{hint}") for vm, _ in uncovered]
    job = state.backup_jobs.get(job_id)
    if job is None and template is not None:
        return _created(job_id, template, uncovered), []
    if job is None:
        raise NotFoundError(f"backup job {job_id} does not exist on the target: give one of "
                            f"{', '.join(sorted(state.backup_jobs)) or 'none'}, or create it with "
                            "--backup-job-template FILE (or under Datacenter → Backup)")
    kept = [Change(Kind.BACKUP_JOB, Action.NONE, job_id, (), reason=f"backup job {job_id} exists: its settings are "
                   "kept, --backup-job-template is not applied")] if template is not None else []
    changes, notes = _grown(job_id, job, uncovered)
    return changes, kept + notes


def _created(job_id: str, template: dict[str, Any], uncovered: list[tuple[MigratedVm, TargetGuest]]) -> list[Change]:
    """The job made from the template with the uncovered VMs; none while every VM is covered already."""
    if not uncovered:
        return []
    vmids = ",".join(str(g.vmid) for _, g in uncovered)
    return [Change(Kind.BACKUP_JOB, Action.CREATE, job_id, tuple(vm.name for vm, _ in uncovered),
                   {"id": job_id, **template, "vmid": vmids})]


def _grown(job_id: str, job: dict[str, Any],
           uncovered: list[tuple[MigratedVm, TargetGuest]]) -> tuple[list[Change], list[Change]]:
    """The existing job's VMID list grown by the uncovered VMs, or why they stay uncovered."""
    listed = split_vmids(job.get("vmid"))
    adding = [(vm, g) for vm, g in uncovered if g.vmid not in listed]
    notes = [Change(Kind.BACKUP_JOB, Action.NONE, job_id, (vm.name,), reason=why)
             for vm, g in uncovered if (why := _not_covered_by(job_id, job, g))]
    if not adding:
        return [], notes
    if job.get("pool") or str(job.get("all", 0)) in ("1", "True", "true"):
        which = f"pool {job['pool']}" if job.get("pool") else "all guests"
        return [], notes + [Change(Kind.BACKUP_JOB, Action.NONE, job_id, (vm.name,), reason=f"job {job_id} selects "
                                   f"{which}, not VMIDs: VM {g.vmid} not added; choose a job with a VMID list")
                            for vm, g in adding]
    vmids = ",".join(str(v) for v in listed + [g.vmid for _, g in adding])
    return [Change(Kind.BACKUP_JOB, Action.UPDATE, job_id, tuple(vm.name for vm, _ in adding), {"vmid": vmids})], notes


def _ours(vm: MigratedVm, state: TargetState) -> bool:
    guest = state.guests.get(vm.vmid)
    return guest is not None and guest.not_ours is None


def _not_covered_by(job_id: str, job: dict[str, Any], guest: TargetGuest) -> str | None:
    """Why a VM in the job (or about to be) is still not backed up by it."""
    if str(job.get("enabled", 1)) in ("0", "False", "false"):
        return f"backup job {job_id} is disabled: VM {guest.vmid} is not backed up until it is enabled"
    if job.get("node") and job["node"] != guest.node:
        return (f"backup job {job_id} runs on node {job['node']} only and VM {guest.vmid} is on {guest.node}: "
                "choose a job for every node")
    return None


def _jobs_hint(state: TargetState) -> str:
    jobs = sorted(state.backup_jobs)
    return f" (jobs on the target: {', '.join(jobs)})" if jobs else " (the target has no backup job yet)"


def plan_first_backups(vms: list[MigratedVm], state: TargetState,
                       job_changes: list[Change]) -> tuple[list[Change], list[Change]]:
    """(changes, notes): a vzdump now, as the covering job would run it (its storage, mode, compression), of each
    VM with no backup on that storage yet; the jobs as they will be once `job_changes` are made."""
    jobs = {job_id: dict(job) for job_id, job in state.backup_jobs.items()}
    for change in job_changes:  # a job created from the template is new
        jobs.setdefault(change.object_id, {}).update(change.params)
    changes, notes = [], []
    for vm in vms:
        guest = state.guests.get(vm.vmid)
        if guest is None or guest.not_ours:
            continue
        job_id = next((job_id for job_id in sorted(jobs) if covers(jobs[job_id], guest)), None)
        if job_id is None:
            notes.append(Change(Kind.FIRST_BACKUP, Action.NONE, "", (vm.name,), reason=f"no enabled backup job "
                                f"covers VM {vm.vmid}: no first backup; give --backup-job ID"))
        elif state.backups.get(vm.vmid):
            notes.append(Change(Kind.FIRST_BACKUP, Action.NONE, f"vzdump:{vm.vmid}", (vm.name,),
                                reason=f"backed up already: {sorted(state.backups[vm.vmid])[-1]}"))
        else:
            changes.append(Change(Kind.FIRST_BACKUP, Action.CREATE, f"vzdump:{vm.vmid}", (vm.name,),
                                  vzdump_params(jobs[job_id], guest)))
    return changes, notes


def vzdump_params(job: dict[str, Any], guest: TargetGuest) -> dict[str, Any]:
    """One VM's vzdump as its job runs it: on its node, to the job's storage (vzdump's default: local)."""
    params = {"node": guest.node, "vmid": guest.vmid, "storage": job.get("storage") or "local",
              "mode": job.get("mode") or "snapshot"}
    params.update({key: job[key] for key in ("compress", "notes-template") if job.get(key)})
    return params


def backup_storages(jobs: dict[str, dict[str, Any]]) -> set[str]:
    """The storages the jobs write to, where a VM's earlier backups are looked for."""
    return {job.get("storage") or "local" for job in jobs.values()}
