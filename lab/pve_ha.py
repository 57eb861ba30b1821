"""High availability on the simulated cluster: HA resources and PVE 9 HA rules, kept as PVE keeps them.

fakepve 0.5.0 answers /cluster/ha/* from the schema and stores nothing; this mixin of the lab's FakePve stores
`resources.cfg` and `rules.cfg` in memory so that a test reads back what the toolkit wrote. It follows
pve-ha-manager's API (PVE/API2/HA/Resources.pm, Rules.pm): a duplicate resource or rule, an unknown or unmanaged
resource, a node that does not exist and a stale digest are refused with PVE's messages; a resource's state is
shown in /cluster/resources (`hastate`) and a VM that HA manages cannot be destroyed without purge (fakepve).
Deviation: the CRM is not simulated beyond starting a stopped VM whose resource is `started`.
"""

from __future__ import annotations

import re
from typing import Any

from fakepve import schema as pve_schema
from fakepve.model import PveError
from fakepve.routing import StatefulRoutes, check_digest, die, param_error, sha1, split_list

RESOURCE_KEYS = ("state", "max_restart", "max_relocate", "failback", "comment")
RULE_PATH = "/cluster/ha/rules"
SID = re.compile(r"^(vm|ct):(\d+)$")


class HaApi(StatefulRoutes):
    """Mixin of the lab's FakePve: /cluster/ha/resources and /cluster/ha/rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ha_resources: dict[str, dict[str, Any]] = {}  # sid -> settings, as resources.cfg
        self.ha_rules: dict[str, dict[str, Any]] = {}  # rule id -> type and settings, as rules.cfg

    def _routes_ha(self):
        resources, one = "/cluster/ha/resources", "/cluster/ha/resources/{sid}"
        rule = RULE_PATH + "/{rule}"
        return [("GET", resources, self._ha_resource_index), ("POST", resources, self._ha_resource_create),
                ("GET", one, self._ha_resource_read), ("PUT", one, self._ha_resource_update),
                ("DELETE", one, self._ha_resource_delete),
                ("GET", RULE_PATH, self._ha_rule_index), ("POST", RULE_PATH, self._ha_rule_create),
                ("GET", rule, self._ha_rule_read), ("PUT", rule, self._ha_rule_update),
                ("DELETE", rule, self._ha_rule_delete)]

    # ------------------------------------------------------------ resources

    def _parse_sid(self, text: str) -> tuple[str, str, int]:
        """PVE::HA::Config::parse_sid: `vm:100`, `ct:101`, or a bare VMID whose guest type is looked up."""
        text = str(text)
        if text.isdigit():
            guest = self._ha_guest(int(text))
            if guest is None:
                raise die(f"unable do add resource - VM/CT {text} does not exist")  # sic, PVE's wording
            kind = "vm" if guest.guest.startswith("qemu/") else "ct"
            return f"{kind}:{text}", kind, int(text)
        match = SID.match(text)
        if not match:
            raise die(f"unable to parse service id '{text}'")
        return text, match[1], int(match[2])

    def _ha_guest(self, vmid: int):
        return next((g for g in list(self.vms) + list(self.cts) if g.vmid == vmid), None)

    def _resources_digest(self) -> str:
        return sha1(repr(sorted(self.ha_resources.items())))

    def _resource_view(self, sid: str) -> dict[str, Any]:
        kind = sid.split(":", 1)[0]
        return {"sid": sid, "type": kind, **self.ha_resources[sid], "digest": self._resources_digest()}

    async def _ha_resource_index(self, v, user):
        return [self._resource_view(sid) for sid in sorted(self.ha_resources)
                if v.get("type") in (None, sid.split(":", 1)[0])]

    async def _ha_resource_read(self, v, user):
        sid = self._parse_sid(v["sid"])[0]
        if sid not in self.ha_resources:
            raise die(f"no such resource '{sid}'")
        return self._resource_view(sid)

    async def _ha_resource_create(self, v, user):
        sid, kind, vmid = self._parse_sid(v["sid"])
        if v.get("type") and v["type"] != kind:
            raise die("types does not match")
        if self._ha_guest(vmid) is None:
            raise die(f"resource '{sid}' does not exist in cluster")
        if v.get("group"):
            raise die(f"create resource failed: HA group '{v['group']}' does not exist")
        if sid in self.ha_resources:
            raise die(f"create resource failed: resource ID '{sid}' already defined")
        self.ha_resources[sid] = {key: v[key] for key in RESOURCE_KEYS if v.get(key) is not None}
        self._ha_follow(sid)

    async def _ha_resource_update(self, v, user):
        sid = self._parse_sid(v["sid"])[0]
        check_digest(self._resources_digest(), v.get("digest"))
        if sid not in self.ha_resources:
            raise die(f"update resource failed: no such resource '{sid}'")
        settings = self.ha_resources[sid]
        for key in split_list(v.get("delete")):
            settings.pop(key, None)
        settings.update({key: v[key] for key in RESOURCE_KEYS if v.get(key) is not None})
        self._ha_follow(sid)

    async def _ha_resource_delete(self, v, user):
        sid = self._parse_sid(v["sid"])[0]
        if sid not in self.ha_resources:
            raise die(f"resource '{sid}' is not HA managed")
        self._ha_forget(sid, purge=v.get("purge", 1) not in (0, "0", False))

    def _ha_follow(self, sid: str) -> None:
        """What the CRM does next: the guest shows the resource's state, and a `started` one is started."""
        guest = self._ha_guest(int(sid.split(":", 1)[1]))
        state = self.ha_resources[sid].get("state", "started")
        guest.ha_state = state
        if state in ("started", "enabled") and guest.status != "running":
            guest.status = "running"
            if hasattr(guest, "qmpstatus"):
                guest.qmpstatus = "running"

    async def _ha_request(self, vm, user, state):
        """A start or stop of an HA-managed VM is a request to HA (fakepve): resources.cfg records its state."""
        sid = f"vm:{vm.vmid}"
        if sid in self.ha_resources:
            self.ha_resources[sid]["state"] = state
        return await super()._ha_request(vm, user, state)

    def _ha_forget(self, sid: str, purge: bool = True) -> None:
        """Remove a resource; with purge (the default) also from the rules naming it, a rule left empty going too."""
        self.ha_resources.pop(sid, None)
        guest = self._ha_guest(int(sid.split(":", 1)[1]))
        if guest is not None:
            guest.ha_state = None
        if not purge:
            return
        for name, rule in list(self.ha_rules.items()):
            members = [r for r in split_list(rule["resources"]) if r != sid]
            if not members:
                del self.ha_rules[name]
            else:
                rule["resources"] = ",".join(members)

    # ---------------------------------------------------------------- rules

    def _rules_digest(self) -> str:
        return sha1(repr(sorted(self.ha_rules.items())))

    def _rule_view(self, name: str) -> dict[str, Any]:
        rule = self.ha_rules[name]
        view = {"rule": name, **rule, "digest": self._rules_digest(), "order": list(self.ha_rules).index(name) + 1}
        if rule["type"] == "resource-affinity" and len(split_list(rule["resources"])) < 2:
            view["errors"] = {"resources": ["rule is ineffective as there are less than two resources"]}
        return view

    async def _ha_rule_index(self, v, user):
        return [self._rule_view(name) for name in self.ha_rules
                if v.get("type") in (None, self.ha_rules[name]["type"])
                and (not v.get("resource") or v["resource"] in split_list(self.ha_rules[name]["resources"]))]

    async def _ha_rule_read(self, v, user):
        if v["rule"] not in self.ha_rules:
            raise die(f"no such ha rule '{v['rule']}'")
        return self._rule_view(v["rule"])

    async def _ha_rule_create(self, v, user):
        kind = v.get("type")
        values = self._checked_rule(kind, {k: val for k, val in v.items() if k not in ("type",)}, create=True)
        name = values.pop("rule")
        if name in self.ha_rules:
            raise die(f"create ha rule failed: HA rule '{name}' already defined")
        self._assert_rule(values, "create ha rule failed")
        self._assert_feasible(name, {"type": kind, **values})
        self.ha_rules[name] = {"type": kind, **values}

    async def _ha_rule_update(self, v, user):
        name = v["rule"]
        if name not in self.ha_rules:
            raise die(f"update HA rules failed: HA rule '{name}' does not exist")
        kind = v.get("type")
        if kind != self.ha_rules[name]["type"]:
            raise die(f"update ha rule failed: wrong type '{kind}' for HA rule '{name}'")
        given = {k: val for k, val in v.items() if k not in ("type", "delete", "digest")}
        values = self._checked_rule(kind, given, create=False)
        values.pop("rule")
        check_digest(self._rules_digest(), v.get("digest"))
        rule = {k: val for k, val in self.ha_rules[name].items() if k not in split_list(v.get("delete"))}
        rule.update(values)
        self._assert_rule(rule, "update HA rules failed")
        self._assert_feasible(name, rule)
        self.ha_rules[name] = rule

    async def _ha_rule_delete(self, v, user):
        self.ha_rules.pop(v["rule"], None)  # PVE deletes a rule that does not exist without a word

    def _checked_rule(self, kind: str | None, values: dict[str, Any], create: bool) -> dict[str, Any]:
        """The rule's parameters checked against the schema of its type, as PVE's section config checks them
        (fakepve does not check the oneOf of these paths)."""
        spec = _rule_spec(kind, "POST" if create else "PUT")
        if spec is None:
            raise param_error(type="value '{0}' does not have a value in the enumeration "
                                   "'node-affinity, resource-affinity'".format(kind or "") if kind else
                              "property is missing and it is not optional")
        out, errors = pve_schema.validate(spec, values)
        if errors:
            raise PveError(400, "Parameter verification failed.", errors)
        return out

    def _assert_rule(self, rule: dict[str, Any], failed: str) -> None:
        """Rules.pm's checks: every resource is HA-managed, every node exists."""
        unmanaged = sorted(sid for sid in split_list(rule.get("resources")) if sid not in self.ha_resources)
        if unmanaged:
            raise die(f"{failed}: cannot use unmanaged resource(s) {', '.join(unmanaged)}.")
        nodes = [entry.split(":", 1)[0] for entry in split_list(rule.get("nodes"))]
        missing = sorted(node for node in nodes if node not in self.nodes)
        if missing:
            raise die(f"{failed}: cannot use non-existant node(s) {', '.join(missing)}.")  # sic, PVE's wording

    def _assert_feasible(self, name: str, rule: dict[str, Any]) -> None:
        """Rules.pm's assert_feasibility for a resource-affinity rule (the checks of ResourceAffinity.pm that look
        at one rule): an enabled one needs two resources, and a negative one no more than there are nodes."""
        if rule["type"] != "resource-affinity" or str(rule.get("disable", 0)) in ("1", "True", "true"):
            return
        count = len(split_list(rule.get("resources")))
        if count < 2:
            raise PveError(400, f"Rule '{name}' is invalid.",
                           {"resources": "rule is ineffective as there are less than two resources"})
        if rule.get("affinity") == "negative" and count > len(self.nodes):
            raise PveError(400, f"Rule '{name}' is invalid.",
                           {"resources": "rule defines more resources than available nodes"})


def _rule_spec(kind: str | None, method: str) -> dict[str, Any] | None:
    """The parameters of one rule type: the common part of the allOf and that type's oneOf alternative."""
    parameters = pve_schema.load().paths[RULE_PATH + ("" if method == "POST" else "/{rule}")][method]["parameters"]
    properties: dict[str, Any] = {}
    chosen = None
    for part in parameters["allOf"]:
        for alternative in part.get("oneOf", []):
            if alternative.get("instance-type") == kind:
                chosen = alternative
        properties.update(part.get("properties", {}))
    if chosen is None:
        return None
    properties.update(chosen["properties"])
    for name in ("delete", "digest"):
        properties.pop(name, None)
    return {"additionalProperties": 0, "properties": properties}
