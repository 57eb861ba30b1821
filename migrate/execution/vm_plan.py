"""What a run knows of one VM before its first step: the planned VM, where its source is, how it is stopped."""

from __future__ import annotations

from dataclasses import dataclass

from migrate.planning.model import PlannedVm
from migrate.waves.policy import StopPolicy


@dataclass(frozen=True)
class SourceRef:
    """The source VM in vCenter, as the newest discovery saw it."""

    moref: str | None
    datacenter: str | None = None
    power_state: str | None = None


@dataclass(frozen=True)
class VmPlan:
    """One VM's part of a wave's plan, as `migrate run` executes it (read once, at the start of the run)."""

    vm: PlannedVm
    source: SourceRef
    stop: StopPolicy  # the wave's stop policy (`migrate wave policy`)
