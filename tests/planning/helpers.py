"""Candidates for placement tests: VMs mapped with the bundled rules and a storage map onto `data`."""

from __future__ import annotations

from migrate.mapping import load_mappings, map_vm
from migrate.mapping.model import Mappings, NetworkTarget, StorageTarget, TargetFacts
from migrate.planning.candidates import build_candidate

GIB = 1024**3


_BASE = load_mappings()


def mappings(**overrides) -> Mappings:
    base = _BASE
    values = dict(guest_os=base.guest_os, hardware=base.hardware, source="vc.example.com",
                  networks={"VM Network": NetworkTarget("vmbr0", vlan=20)}, storage={"ds1": StorageTarget("data")})
    return Mappings(**{**values, **overrides})


def candidate(vm, verdict: str = "Ready", maps: Mappings | None = None, **kwargs):
    maps = maps or mappings()
    return build_candidate(vm, map_vm(vm, maps, TargetFacts()), verdict, maps, **kwargs)
