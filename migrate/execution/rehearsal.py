"""Rehearsals (`migrate test`): prove a VM's migration on a copy while its source keeps running.

For each VM: take a snapshot of the running source (no memory; the toolkit's name), so that its disks hold
still; create a test VM under a test name and a free VMID with every NIC on an isolated bridge (or link down);
copy the disks as `migrate run` does, convert the guest as the plan says, attach, start it and wait for its
guest agent; then remove the snapshot, whatever happened. The source is never stopped and is left as found
(power state and snapshots). The run's own steps do the work on a test copy of the plan, so a rehearsal proves
the same code the cutover runs. `--cleanup` destroys the test VMs (and their volumes) the journal names, each only
once it proves to be the rehearsal's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere import changed_blocks
from migrate.clients.vsphere.source_state import source_state
from migrate.db.execution_models import VmMigration, VmStatus
from migrate.db.plan_models import Target
from migrate.errors import MigrateError, UsageError
from migrate.execution import rehearsal_journal as journal
from migrate.execution.itinerary import StepContext, UndoContext
from migrate.execution.locks import VmLocker
from migrate.execution.services import RunOptions, Services
from migrate.execution.steps import attach, convert, copy_disk, create_shell, start_target, verify
from migrate.execution.steps.common import copied_disks
from migrate.execution.vm_plan import SourceRef
from migrate.execution.vm_state import TargetRef, VmState
from migrate.execution.wave import source_refs
from migrate.planning.model import PlannedVm
from migrate.planning.store import load_plan
from migrate.waves.policy import StopPolicy

log = logging.getLogger(__name__)

TEST_TAG = "migrate-rehearsal"
VMID_START = 9000  # test VMs take the first free VMIDs from here


@dataclass(frozen=True)
class RehearsalOptions:
    bridge: str | None = None  # every NIC on this bridge, untagged; None: NICs kept but link down
    only: tuple[str, ...] = ()
    run: RunOptions = RunOptions()


@dataclass
class RehearsalResult:
    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # VM -> why
    test_vms: dict[str, str] = field(default_factory=dict)  # VM -> "name (VMID n on node)"


def rehearse_wave(sessions: sessionmaker[Session], wave: int, options: RehearsalOptions,
                  services_factory: Callable[[Target, RunOptions], Services]) -> RehearsalResult:
    """Rehearse the VMs of wave `wave` (or `options.only`) one after the other."""
    with sessions() as session:
        target, vms, sources = _wave(session, wave, options.only)
        # A rehearsal is not a migration and makes none; a VM a sync pass (or a run) has journaled is locked.
        migrations = dict(session.execute(select(VmMigration.vm_id, VmMigration.id).where(
            VmMigration.wave == wave, VmMigration.vm_id.in_([vm.vm_id for vm in vms]))).all())
    services = services_factory(target, options.run)
    result = RehearsalResult()
    locker = VmLocker(sessions.kw["bind"])
    try:
        for vm in vms:
            # The VM's lock, as a run's or a sync pass's: none of them (nor a rollback) works on it meanwhile.
            migration = migrations.get(vm.vm_id)
            with locker.held(migration) if migration is not None else nullcontext(True) as free:
                if free:
                    _rehearse(sessions, wave, vm, sources[vm.vm_id], options, services, result)
                else:
                    result.failed[vm.vm_name] = "another process works on it now (`migrate sync`, `run` or `test`)"
    finally:
        services.close()
    return result


def cleanup(sessions: sessionmaker[Session], wave: int | None, services_factory) -> list[str]:
    """Destroy every test VM the journal names and has not cleaned (of `wave`, or all): what was removed."""
    with sessions() as session:
        rows = [(r.id, r.vm_name, r.node, r.vmid, r.name, dict(r.detail or {})) for r in journal.not_cleaned(session, wave)]
        target = _target_of(session, wave) if rows else None
    if not rows:
        return []
    services = services_factory(target, RunOptions())
    removed = []
    try:
        for rehearsal_id, vm_name, node, vmid, name, detail in rows:
            owned = pvevm.Ownership(detail.get("vm_key", ""), vmid, rehearsal_id, name=name,
                                    macs=tuple(detail.get("macs", ())))
            gone = pvevm.destroy_ours(services.pve, owned)
            # A conversion's work directory on the node, when its owner file names this rehearsal.
            state = VmState(target=TargetRef(node, vmid))
            convert.undo(UndoContext(owned, SourceRef(None), state, services))
            with sessions() as session:
                journal.cleaned(session, rehearsal_id)
            removed.append(f"{vm_name}: test VM {name} (VMID {vmid}" + (f" on {gone.node})" if gone else ", gone already)"))
    finally:
        services.close()
    return removed


def _wave(session: Session, wave: int, only: Collection[str]) -> tuple[Target, list[PlannedVm], dict[int, SourceRef]]:
    record, plan = load_plan(session, wave)
    unknown = sorted(set(only) - {vm.vm_name for vm in plan.vms})
    if unknown:
        raise UsageError(f"VM {', '.join(unknown)} is not in wave {wave}'s plan: check the name with "
                         f"`migrate plan --wave {wave}`")
    vms = [vm for vm in plan.vms if not only or vm.vm_name in only]
    begun = {m.vm_id: m.status for m in session.scalars(select(VmMigration).where(VmMigration.wave == wave))
             if m.status != VmStatus.PENDING or m.state}
    for vm in vms:
        if vm.vm_id in begun:
            raise UsageError(f"{vm.vm_name}'s migration has begun ({begun[vm.vm_id]}): a rehearsal is for before the "
                             f"cutover; leave it out with --vm, or roll it back first")
    target = session.get(Target, record.target_id)
    session.expunge(target)
    return target, vms, source_refs(session, [vm.vm_id for vm in vms])


def _target_of(session: Session, wave: int | None) -> Target:
    if wave is None:
        targets = list(session.scalars(select(Target)))
        if len(targets) != 1:
            raise UsageError("name the wave whose test VMs to remove: --wave N")
        target = targets[0]
    else:
        record, _ = load_plan(session, wave)
        target = session.get(Target, record.target_id)
    session.expunge(target)
    return target


def _rehearse(sessions, wave: int, vm: PlannedVm, source: SourceRef, options: RehearsalOptions, services: Services,
              result: RehearsalResult) -> None:
    conn = services.vsphere
    before = source_state(conn, source.moref)
    if before.snapshots:
        result.failed[vm.vm_name] = (f"the source has snapshots ({', '.join(before.snapshots)}): remove them first, "
                                     "as the cutover requires")
        return
    vmid = _free_vmid(services, sessions)
    name = _test_name(vm.proxmox_name)
    detail: dict[str, Any] = {"vm_key": f"rehearsal {vm.vm_key}", "macs": [n.mac.upper() for n in vm.nics if n.mac],
                              "bridge": options.bridge, "source_before": [before.power_state, list(before.snapshots)]}
    with sessions() as session:
        rehearsal_id = journal.begin(session, wave, vm.vm_id, vm.vm_name, vm.node, vmid, name, detail)
    test_vm = _test_copy(vm, vmid, name, options.bridge)
    ctx = StepContext(rehearsal_id, vm.vm_name, test_vm, source, StopPolicy(), VmState(), services)
    snapshot = changed_blocks.create_snapshot(conn, source.moref, f"{changed_blocks.SNAPSHOT_PREFIX} rehearsal "
                                              f"{rehearsal_id}", quiesce=False)
    error = None
    try:
        detail.update(_run_steps(ctx))
    except MigrateError as exc:
        error = str(exc)
    finally:
        changed_blocks.remove_snapshot(conn, snapshot.moref)
    after = source_state(conn, source.moref)
    detail["source_after"] = [after.power_state, list(after.snapshots)]
    passed = error is None and bool(detail.get("agent"))
    if error is None and not passed:
        error = f"the guest agent did not answer within {options.run.agent_timeout:g} s"
    with sessions() as session:
        journal.end(session, rehearsal_id, journal.PASSED if passed else journal.FAILED, detail, error)
    result.test_vms[vm.vm_name] = f"{name} (VMID {vmid} on {vm.node})"
    if passed:
        result.passed.append(vm.vm_name)
    else:
        result.failed[vm.vm_name] = error


def _run_steps(ctx: StepContext) -> dict[str, Any]:
    """The run's steps on the test copy: create, copy each disk, check sizes, convert, attach, start."""
    create_shell.run(ctx)
    for disk in copied_disks(ctx):
        copy_disk.run(replace(ctx, item=disk.slot))
    verify.run(ctx)
    converted = convert.run(ctx) if convert.applies(ctx) else {}
    attach.run(ctx)
    started = start_target.run(ctx) if ctx.services.options.start else {}
    return {"converted": converted.get("converted", bool(converted.get("commands"))), "agent": started.get("agent"),
            "ips": started.get("ips"), "ips_missing": started.get("ips_missing")}


def _test_copy(vm: PlannedVm, vmid: int, name: str, bridge: str | None) -> PlannedVm:
    """The plan's VM as the rehearsal makes it: its test name and VMID, its NICs isolated, its marker its own."""
    config = _isolated(dict(vm.config), bridge)
    config["name"] = name
    tags = [t for t in str(config.get("tags") or "").split(";") if t]
    config["tags"] = ";".join([*tags, TEST_TAG])
    guest = dict(vm.guest or {})
    conversion = dict(guest.get("conversion") or {})
    if conversion.get("unconverted"):
        unconverted = dict(conversion["unconverted"])
        unconverted["params"] = {**_isolated(dict(unconverted["params"]), bridge), "name": name}
        conversion["unconverted"] = unconverted
        guest["conversion"] = conversion
    nics = tuple(replace(nic, bridge=bridge or nic.bridge, vlan=None if bridge else nic.vlan) for nic in vm.nics)
    return replace(vm, vmid=vmid, proxmox_name=name, vm_key=f"rehearsal {vm.vm_key}", config=config, nics=nics,
                   guest=guest)


def _isolated(config: dict, bridge: str | None) -> dict:
    """Every NIC on `bridge`, untagged; without a bridge, each NIC where it was with its link down."""
    for key, value in config.items():
        if re.fullmatch(r"net\d+", key):
            parts = [p for p in str(value).split(",") if not p.startswith(("tag=", "trunks=", "link_down="))]
            if bridge:
                parts = [f"bridge={bridge}" if p.startswith("bridge=") else p for p in parts]
            else:
                parts.append("link_down=1")
            config[key] = ",".join(parts)
    return config


def _test_name(name: str) -> str:
    """`test-<name>`, within PVE's 63 characters for a VM name."""
    return f"test-{name}"[:63].rstrip("-.")


def _free_vmid(services: Services, sessions) -> int:
    taken = {int(row["vmid"]) for row in services.pve.get("/cluster/resources", type="vm") if "vmid" in row}
    with sessions() as session:
        taken |= {r.vmid for r in journal.not_cleaned(session, None) if r.vmid}
    return next(vmid for vmid in range(VMID_START, 1_000_000_000) if vmid not in taken)

