"""HA rules from vSphere DRS: a VM-VM affinity rule becomes a PVE 9 resource-affinity rule (positive), an
anti-affinity rule a negative one, over the rule's VMs that the toolkit migrated and HA manages.

A rule needs two such VMs (PVE ignores one with fewer), so it is made once enough of them are migrated and
finalized, and grown as more follow. VM-host rules are not carried over: discovery reads no host groups, and
ESXi hosts are not Proxmox nodes; the consultant adds the node-affinity rule. Only rules carrying the toolkit's
marker are ever changed.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from migrate.finalize.model import MARKER, Action, Change, Kind
from migrate.inventory.model import Cluster, ClusterRule

AFFINITY = {"affinity": "positive", "anti-affinity": "negative"}
ID_LENGTH = 60


def rule_id(cluster: str, rule: str) -> str:
    """A PVE config id (a letter, then letters, digits, - and _) for a DRS rule, stable across runs."""
    plain = f"{cluster}-{rule}".lower()
    slug = re.sub(r"[^a-z0-9_-]+", "-", plain).strip("-")
    text = f"drs-{slug}"
    # A name cut short or with letters an id cannot hold keeps a digest of the whole, so that two such rules
    # ("Ärzte", "Örzte") never share an id; ASCII punctuation becomes "-" and stays readable.
    if len(text) > ID_LENGTH or not plain.isascii():
        text = text[:ID_LENGTH - 9].rstrip("-") + "-" + hashlib.sha256(f"{cluster}/{rule}".encode()).hexdigest()[:8]
    return text


def plan_ha_rules(clusters: list[Cluster], in_scope: set[str], ha_sids: dict[str, str],
                  existing: dict[str, dict[str, Any]] | None, nodes: int = 0) -> tuple[list[Change], list[Change]]:
    """(changes, notes) for the DRS rules naming a VM of this finalize.

    `ha_sids`: VM name -> HA resource id, for every VM the toolkit migrated that is (or is now being made) an
    HA resource; `existing`: the target's rules by id.
    """
    changes, notes = [], []
    for cluster in clusters:
        for rule in cluster.rules:
            if in_scope.isdisjoint(rule.vms):
                continue
            if existing is None:
                notes.append(Change(Kind.HA_RULE, Action.NONE, rule_id(cluster.name, rule.name), tuple(rule.vms),
                                    reason=f"DRS rule {cluster.name}/{rule.name} is not carried over: HA rules need "
                                    "Proxmox VE 9 (on 8, make an HA group by hand)"))
                continue
            change = _rule_change(cluster.name, rule, ha_sids, existing, nodes)
            (changes if change.action is not Action.NONE else notes).append(change)
            waiting = [name for name in rule.vms if name not in ha_sids]
            if change.action is not Action.NONE and waiting:
                notes.append(Change(Kind.HA_RULE, Action.NONE, change.object_id, tuple(waiting),
                                    reason=f"not in DRS rule {cluster.name}/{rule.name} yet: not an HA resource of "
                                    "the toolkit; finalize again once migrated on shared storage"))
    return changes, notes


def _rule_change(cluster: str, rule: ClusterRule, ha_sids: dict[str, str],
                 existing: dict[str, dict[str, Any]], nodes: int) -> Change:
    rid, names = rule_id(cluster, rule.name), tuple(rule.vms)
    where = f"DRS rule {cluster}/{rule.name}"
    if rule.kind == "vm-host":
        verb = "run on" if rule.host_affinity != "anti-affine" else "keep off"
        must = "must" if rule.mandatory else "should"
        return Change(Kind.HA_RULE, Action.NONE, rid, names, reason=f"{where} (its VMs {must} {verb} "
                      f"{', '.join(rule.hosts) or 'its host group'}) is not carried over: ESXi hosts are not Proxmox "
                      f"nodes; add a node-affinity HA rule{' with strict=1' if rule.mandatory else ''} for the nodes "
                      "that took their place")
    if rule.kind not in AFFINITY:
        return Change(Kind.HA_RULE, Action.NONE, rid, names, reason=f"{where} ({rule.kind}) is not carried over")
    members = sorted({ha_sids[name] for name in rule.vms if name in ha_sids}, key=_sid_order)
    if len(members) < 2:
        return Change(Kind.HA_RULE, Action.NONE, rid, names, reason=f"{where} waits: fewer than two of its VMs "
                      "are HA resources of the toolkit; finalize again once the others are migrated")
    if rule.kind == "anti-affinity" and rule.enabled is not False and 0 < nodes < len(members):
        return Change(Kind.HA_RULE, Action.NONE, rid, names, reason=f"{where} would keep {len(members)} VMs apart "
                      f"on {nodes} nodes, which PVE refuses: split the rule, or add nodes")
    params = {"type": "resource-affinity", "affinity": AFFINITY[rule.kind], "resources": ",".join(members),
              "comment": f"{MARKER}: {where}"}
    if rule.enabled is False:
        params["disable"] = 1
    current = existing.get(rid)
    if current is None:
        return Change(Kind.HA_RULE, Action.CREATE, rid, names, {"rule": rid, **params})
    if not str(current.get("comment") or "").startswith(MARKER):
        return Change(Kind.HA_RULE, Action.NONE, rid, names, reason=f"an HA rule {rid} exists that the toolkit did "
                      f"not make: left alone; {where} is not carried over")
    if set(str(current.get("resources") or "").split(",")) >= set(members):
        return Change(Kind.HA_RULE, Action.NONE, rid, names, reason=f"{where} is carried over already")
    grown = sorted(set(str(current["resources"]).split(",")) | set(members), key=_sid_order)
    return Change(Kind.HA_RULE, Action.UPDATE, rid, names,
                  {"type": "resource-affinity", "resources": ",".join(grown)})


def _sid_order(sid: str) -> tuple[str, int]:
    kind, _, number = sid.partition(":")
    return kind, int(number) if number.isdigit() else 0
