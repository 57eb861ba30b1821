"""Shared by the landing-zone rule tests: a healthy snapshot holding every privilege, and plans placed on it."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.planning.model import PlanSettings
from migrate.planning.place import place_wave
from migrate.target.privileges import FINALIZE_PRIVILEGES, REQUIRED_PRIVILEGES
from tests.factories import make_snapshot

ALL = tuple(dict.fromkeys(REQUIRED_PRIVILEGES + FINALIZE_PRIVILEGES))  # the migration's role and finalize's


def snapshot(**kwargs):
    kwargs.setdefault("privileges", ALL)
    return make_snapshot(**kwargs)


def plan(snap, vms, **settings):
    return place_wave(vms, snap, PlanSettings(**settings), wave=1, snapshot_version=1)


def zone(snap, plans=(), **kwargs) -> LandingZone:
    return LandingZone(snap, tuple(plans), **kwargs)
