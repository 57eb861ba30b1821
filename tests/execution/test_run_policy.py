"""`migrate run` stops the sources as the wave's stop policy says, and journals the policy it followed.

vcsim honours every guest shutdown at once, so a guest that will not go down cannot be staged here; the
refusal itself is `power.stop`'s (tests/execution/test_vsphere_power.py). This checks that the policy set
with `migrate wave policy` is the one the run hands to it, for every VM, and that a change reaches the next run.
"""

from __future__ import annotations

from sqlalchemy import select

from migrate.clients.vsphere import power
from migrate.db.execution_models import MigrationRun
from migrate.db.session import session_factory
from tests.execution.test_run_wave import assert_migrated, run
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.cli import run_cli


def test_each_source_is_stopped_with_the_waves_timeout_and_power_off_rule(bed, engine, estate, db_url, monkeypatch):
    _, vms, _ = estate
    assert run_cli("wave", "policy", "1", "--no-power-off", "--shutdown-timeout", "42", db_url=db_url).exit_code == 0
    asked = []
    real_stop = power.stop

    def spy(conn, moref, timeout, allow_power_off):
        asked.append((moref, timeout, allow_power_off))
        return real_stop(conn, moref, timeout, allow_power_off)

    monkeypatch.setattr(power, "stop", spy)
    result = run(engine, bed)
    assert result.outcome.failed == {}
    assert sorted(asked) == sorted((vm.moref, 42, False) for vm in vms)
    assert_migrated(bed, engine, vms)
    with session_factory(engine)() as session:
        journaled = session.scalars(select(MigrationRun.options)).one()
    assert journaled["stop"] == {"shutdown_timeout": 42, "allow_power_off": False}
