"""Retiring the sources after a grace period (pure): each migrated VM whose target runs, proven ours, and whose
migration ended at least the grace period ago is renamed in vCenter with a marker and the date and given a note;
with --unregister or --delete (and the VMs confirmed by name) it is then removed. A source whose target does not
run, one still in its grace period, and any VM the toolkit did not migrate are kept."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from migrate.errors import UsageError
from migrate.finalize.model import MARKER, Action, Change, Kind, MigratedVm, TargetState

RETIRED_LINE = f"{MARKER}: retired"  # in the source's note: what makes a retirement not happen twice
NAME_LENGTH = 80  # vCenter's limit for a VM name


@dataclass(frozen=True)
class SourceFacts:
    """A source VM as vCenter holds it now; None for one that is gone."""

    name: str
    annotation: str
    power_state: str


@dataclass(frozen=True)
class RetireOptions:
    """What the consultant chose for a retirement: the grace period, now, and whether to remove."""

    grace_days: float
    now: datetime
    remove: str | None = None  # "unregister" or "delete", else only renamed and noted
    confirmed: tuple[str, ...] = ()  # the VMs the consultant named to be removed


def retired_name(name: str, when: datetime) -> str:
    """The source's new name: its name, cut to fit, then ` [migrated YYYY-MM-DD]`."""
    suffix = f" [migrated {when:%Y-%m-%d}]"
    return name[:NAME_LENGTH - len(suffix)] + suffix


def plan_retirement(vms: list[MigratedVm], sources: dict[str, SourceFacts | None], state: TargetState,
                    options: RetireOptions, target: str) -> tuple[list[Change], list[Change]]:
    """(changes, notes) of retiring the sources of `vms`."""
    changes, notes = [], []
    for vm in vms:
        kept = _kept_because(vm, sources, state, options)
        if kept:
            notes.append(Change(Kind.RETIRE_SOURCE, Action.NONE, vm.source_moref or "", (vm.name,), reason=kept))
            continue
        source = sources[vm.source_moref]
        if RETIRED_LINE not in source.annotation:
            note = (f"{RETIRED_LINE} {options.now:%Y-%m-%d}: migrated to Proxmox VE {target} as VM {vm.vmid} on "
                    f"{vm.node}; keep it off\n{source.annotation}").rstrip()
            changes.append(Change(Kind.RETIRE_SOURCE, Action.RENAME, vm.source_moref, (vm.name,),
                                  {"moref": vm.source_moref, "name": retired_name(source.name, options.now),
                                   "annotation": note}))
        if options.remove and source.power_state != "poweredOff":
            notes.append(Change(Kind.RETIRE_SOURCE, Action.NONE, vm.source_moref, (vm.name,),
                                reason=f"its source is {source.power_state}: not removed (vCenter removes a powered-off "
                                "VM only); power it off and retire again"))
        elif options.remove:
            changes.append(Change(Kind.RETIRE_SOURCE, Action(options.remove), vm.source_moref, (vm.name,),
                                  {"moref": vm.source_moref}))
    return changes, notes


def _kept_because(vm: MigratedVm, sources: dict[str, SourceFacts | None], state: TargetState,
                  options: RetireOptions) -> str | None:
    guest = state.guests.get(vm.vmid)
    if guest is None or guest.not_ours:
        return f"its target VM {vm.vmid} is not on the target or not proven the toolkit's: source kept"
    if guest.status != "running":
        return f"its target VM {vm.vmid} is {guest.status}: source kept until it runs"
    until = (vm.migrated_at or options.now) + timedelta(days=options.grace_days)
    if until > options.now:
        return f"in its grace period until {until:%Y-%m-%d %H:%M} UTC: source kept"
    source = sources.get(vm.source_moref or "")
    if source is None:
        return "its source is no longer in vCenter: nothing to retire"
    return None


def check_confirmed(changes: list[Change], confirmed: Collection[str]) -> None:
    """Removing sources needs the consultant to name exactly the VMs it removes (--confirm)."""
    removing = sorted({c.vms[0] for c in changes if c.action in (Action.UNREGISTER, Action.DELETE)})
    if removing and sorted(set(confirmed)) != removing:
        verb = next(c.action for c in changes if c.action in (Action.UNREGISTER, Action.DELETE))
        raise UsageError(f"to {verb} the sources, confirm exactly these VMs: --confirm {','.join(removing)} "
                         "(see them with --dry-run)")
