"""A VM's durable state: what its steps did that a later step, a resume or a rollback must know.

Stored in the journal (`VmMigration.state`, JSON) after every step, in the shape it has always had: a key is
written once the step that owns it has recorded it, so a VM no step has touched is `{}`, and a state read
from an existing database and written back again is unchanged. Keys this version does not know are kept
as they were.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class TargetRef:
    """The node and VMID of the target VM the toolkit created (recorded by create_shell)."""

    node: str
    vmid: int


@dataclass
class VmState:
    """The durable facts of one VM's migration, each recorded by one step; the fields are in the order the
    itinerary records them, which is the order of the stored JSON keys."""

    source_power_state: str | None = None  # preflight, the first attempt only: as the source was before any change
    target: TargetRef | None = None  # create_shell
    lookalikes: list[str] | None = None  # create_shell: VMs that carry the marker but are not ours (clones)
    source_stopped: bool = False  # stop_source: the toolkit stopped the source (rollback powers it on)
    volumes: dict[str, str] = field(default_factory=dict)  # copy_disk: slot -> volid
    conversion: dict[str, Any] | None = None  # convert: node, work directory, log, copies, what it wrote
    source_nics_disconnected: bool = False  # disconnect_source_nics (rollback reconnects them)
    target_ips: list[str] | None = None  # start_target: None when the guest agent did not answer
    agent: bool | None = None  # start_target: whether the guest agent answered; None before it ran
    ips_missing: list[str] | None = None  # start_target: the source's static addresses the guest does not report
    rolled_back: list[str] | None = None  # rollback: what it undid
    other: dict[str, Any] = field(default_factory=dict)  # keys this version does not know

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> VmState:
        """The state as stored in the journal (None or `{}` for a VM no step has touched)."""
        data = copy.deepcopy(data or {})
        target = data.pop("target", None)
        known = {f.name for f in fields(cls)} - {"target", "other"}
        values = {key: data.pop(key) for key in list(data) if key in known}
        return cls(**values, target=TargetRef(target["node"], int(target["vmid"])) if target else None,
                   other=data)

    def to_dict(self) -> dict[str, Any]:
        """The state as the journal stores it: only what some step recorded, in new containers (so that a
        change made in place is still seen as a change)."""
        data: dict[str, Any] = {}
        if self.source_power_state is not None:
            data["source_power_state"] = self.source_power_state
        if self.target is not None:
            data["target"] = {"node": self.target.node, "vmid": self.target.vmid}
        if self.lookalikes:
            data["lookalikes"] = list(self.lookalikes)
        if self.source_stopped:
            data["source_stopped"] = True
        if self.volumes:
            data["volumes"] = dict(self.volumes)
        if self.conversion is not None:
            data["conversion"] = copy.deepcopy(self.conversion)
        if self.source_nics_disconnected:
            data["source_nics_disconnected"] = True
        # Recorded together by start_target (an early version recorded only the IPs).
        if self.target_ips is not None or self.agent is not None:
            data["target_ips"] = list(self.target_ips) if self.target_ips is not None else None
        if self.agent is not None:
            data["agent"] = self.agent
        if self.ips_missing:
            data["ips_missing"] = list(self.ips_missing)
        if self.rolled_back is not None:
            data["rolled_back"] = list(self.rolled_back)
        return {**data, **copy.deepcopy(self.other)}
