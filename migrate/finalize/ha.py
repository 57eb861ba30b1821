"""HA resources: each migrated VM whose disks all live on shared storage, started, with bounded restarts."""

from __future__ import annotations

from migrate.finalize.model import MARKER, Action, Change, HaSettings, Kind, MigratedVm, TargetGuest, TargetState


def sid_of(vm: MigratedVm) -> str:
    """The HA resource id of the VM's target: `vm:<VMID>`."""
    return f"vm:{vm.vmid}"


def plan_ha_resources(vms: list[MigratedVm], state: TargetState, settings: HaSettings,
                      wave: int) -> tuple[list[Change], list[Change]]:
    """(changes, notes): an HA resource to create for each VM that can have one; why the others have none."""
    changes, notes = [], []
    for vm in vms:
        reason = _left_alone(vm, state)
        if reason is None:
            changes.append(Change(Kind.HA_RESOURCE, Action.CREATE, sid_of(vm), (vm.name,), _params(vm, settings, wave)))
        else:
            notes.append(Change(Kind.HA_RESOURCE, Action.NONE, sid_of(vm), (vm.name,), reason=reason))
    return changes, notes


def _left_alone(vm: MigratedVm, state: TargetState) -> str | None:
    """Why the VM gets no HA resource now, or None."""
    sid, guest = sid_of(vm), state.guests.get(vm.vmid)
    if sid in state.ha_resources:
        return f"already an HA resource (state {state.ha_resources[sid].get('state', 'started')}): left as it is"
    if guest is None:
        return f"its target VM {vm.vmid} is not on the target: left alone"
    if guest.not_ours:
        return f"VM {vm.vmid} on the target is not proven the toolkit's ({guest.not_ours}): left alone"
    local = local_volumes(guest, state.shared_storages)
    if local:
        return (f"not added: {', '.join(local)} {'is' if len(local) == 1 else 'are'} on storage that is not shared, "
                "where HA cannot restart it on another node; move the disks to shared storage "
                "(`qm disk move`) and finalize again")
    if vm.restart_priority == "disabled":
        return ("not added: vSphere HA did not restart it (restart priority disabled); add it with "
                f"`ha-manager add {sid}` if it should be restarted now")
    if guest.status != "running":
        return (f"not added: it is {guest.status} on the target and HA would start it; start it (or roll it back) "
                "and finalize again")
    return None


def local_volumes(guest: TargetGuest, shared: frozenset[str]) -> list[str]:
    """The VM's volumes on storage that is not shared by the cluster."""
    return [volid for volid in guest.volumes if volid.split(":", 1)[0] not in shared]


def _params(vm: MigratedVm, settings: HaSettings, wave: int) -> dict[str, object]:
    return {"sid": sid_of(vm), "state": "started", "max_restart": settings.max_restart,
            "max_relocate": settings.max_relocate, "comment": f"{MARKER}: {vm.name}, wave {wave}"}
