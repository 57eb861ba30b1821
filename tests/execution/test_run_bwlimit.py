"""`migrate run --bwlimit`: the copies read no faster than the limit shares out, and the run journals it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from migrate.db.execution_models import MigrationRun, StepRun
from migrate.db.session import session_factory
from migrate.execution.bandwidth import MIB
from migrate.execution.wave import execute_wave
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import estate, plan_wave  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow
LIMIT_MIB_S = 2.0  # low enough that the test estate's few MiB of data take seconds at it


@pytest.fixture
def one_vm(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path):
    vm = estate[1][0]  # two disks: one copy after the other, each at the whole limit
    return plan_wave(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path,
                     pattern=vm.name), vm


def test_each_copy_reads_no_faster_than_the_limit_and_the_run_journals_it(one_vm, engine):
    bed, vm = one_vm

    result = execute_wave(session_factory(engine), 1, options_of(bed, parallel=4, bwlimit_mib_s=LIMIT_MIB_S),
                          services_factory(bed))

    assert result.outcome.done == [vm.name], result.outcome.failed
    with session_factory(engine)() as session:
        copies = session.scalars(select(StepRun).where(StepRun.step == "copy_disk", StepRun.status == "done")).all()
        run = session.scalars(select(MigrationRun)).one()
    assert len(copies) == 2 and run.options["bwlimit_mib_s"] == LIMIT_MIB_S
    assert run.options["copy_rates"] == {"pve1": int(LIMIT_MIB_S * MIB)}
    for copy in copies:
        detail = copy.detail
        assert detail["rate_limit_bytes_per_second"] == int(LIMIT_MIB_S * MIB)
        # qemu-img cannot beat its -r: the data takes at least its size over the limit (less a slice's burst).
        assert detail["seconds"] >= 0.8 * detail["moved_bytes"] / (LIMIT_MIB_S * MIB), detail
