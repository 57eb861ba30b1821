"""Which VMs a wave takes: a pure function of the VMs, the selection and the application groups.

A VM is selected when it matches ANY criterion (folder, tag, attribute, cluster, name pattern, name).
Then each selected VM pulls in the rest of its application group, so that an application moves whole:
the VMs sharing a value of the group attribute (default `app`), and the VMs of a DRS VM-VM affinity rule.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from migrate.inventory.model import Cluster, Vm

DEFAULT_GROUP_ATTRIBUTE = "app"


@dataclass(frozen=True)
class WaveSelection:
    """The criteria of `wave create`; stored with the wave so that it can be read later."""

    folders: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()  # category=value, matched against custom attributes (see docs/planning.md)
    attributes: tuple[tuple[str, str], ...] = ()
    clusters: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    group_attribute: str = DEFAULT_GROUP_ATTRIBUTE

    @property
    def empty(self) -> bool:
        return not (self.folders or self.tags or self.attributes or self.clusters or self.patterns or self.names)

    def to_dict(self) -> dict:
        return {key: [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, tuple) else value
                for key, value in self.__dict__.items()}


@dataclass(frozen=True)
class Candidate:
    """A VM the selection may take, with its inventory row id."""

    id: int
    vm: Vm


@dataclass
class Selected:
    members: dict[int, str] = field(default_factory=dict)  # VM id -> why it is in the wave
    unknown_names: list[str] = field(default_factory=list)


def select_vms(candidates: Sequence[Candidate], selection: WaveSelection, clusters: Sequence[Cluster] = ()) -> Selected:
    """The VMs the selection matches, plus their application groups; `unknown_names` lists names matching no VM."""
    result = Selected()
    names = set(selection.names)
    seen_names: set[str] = set()
    for candidate in candidates:
        vm = candidate.vm
        hit_names = names & {vm.name, vm.moref or "", vm.instance_uuid or ""}
        seen_names |= hit_names
        if hit_names or _matches(vm, selection):
            result.members[candidate.id] = "selected"
    result.unknown_names = sorted(names - seen_names)
    _add_groups(candidates, result, selection.group_attribute, clusters)
    return result


def _matches(vm: Vm, s: WaveSelection) -> bool:
    attributes = vm.custom_attributes or {}
    return (
        any(vm.folder == f or (vm.folder or "").startswith(f.rstrip("/") + "/") for f in s.folders)
        or any(attributes.get(k) == v for k, v in s.tags + s.attributes)
        or (vm.cluster in s.clusters)
        or any(fnmatch.fnmatchcase(vm.name.lower(), p.lower()) for p in s.patterns)
    )


def groups_of(candidates: Sequence[Candidate], attribute: str, clusters: Sequence[Cluster] = ()) -> dict[str, set[int]]:
    """Application groups: `attribute=value` -> VM ids, and `affinity rule NAME` -> VM ids."""
    groups: dict[str, set[int]] = defaultdict(set)
    by_name: dict[str, list[int]] = defaultdict(list)
    for candidate in candidates:
        by_name[candidate.vm.name].append(candidate.id)
        value = (candidate.vm.custom_attributes or {}).get(attribute)
        if value:
            groups[f"{attribute}={value}"].add(candidate.id)
    for cluster in clusters:
        for rule in cluster.rules:
            if rule.kind == "affinity" and rule.enabled is not False:
                members = {vm_id for name in rule.vms for vm_id in by_name.get(name, [])}
                groups[f"affinity rule {rule.name}"] |= members
    return groups


def _add_groups(candidates: Sequence[Candidate], result: Selected, attribute: str, clusters: Sequence[Cluster]) -> None:
    groups = groups_of(candidates, attribute, clusters)
    changed = True
    while changed:  # groups may chain (a VM in an app and in an affinity rule)
        changed = False
        for label, members in sorted(groups.items()):
            if members & result.members.keys() and not members <= result.members.keys():
                for vm_id in sorted(members - result.members.keys()):
                    result.members[vm_id] = f"group {label}"
                changed = True
