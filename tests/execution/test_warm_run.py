"""`migrate run` (cold) through the lab's warm vCenter: the layer is transparent to everything the toolkit already
does, so the warm migration's tests can put it in front of the wave bed."""

from __future__ import annotations

import pytest

from lab.warm.vcenter import WarmVcenter
from tests.execution.test_run_wave import assert_migrated, run
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.lab.warm_bed import pki  # noqa: F401  (fixture)


@pytest.fixture
def warm(bed, estate, pki, tmp_path):
    """The warm vCenter in front of the wave's simulator, and the bed reaching the vCenter through it."""
    sim, _, store = estate
    (tmp_path / "deltas").mkdir()
    with WarmVcenter(sim, {"LocalDS_0": store}, *pki, tmp_path / "deltas") as layer:
        yield layer, {**bed, "vc_port": layer.port, "vc_ca": pki[0]}


@pytest.mark.vcsim
def test_a_cold_run_through_the_warm_vcenter_migrates_the_wave_as_without_it(warm, engine, estate):
    layer, bed_through = warm
    _, vms, _ = estate
    result = run(engine, bed_through)
    assert sorted(result.outcome.done) == sorted(vm.name for vm in vms), result.outcome.failed
    assert_migrated(bed_through, engine, vms)
    assert {"ShutdownGuest", "ReconfigVM_Task"} <= set(layer.calls)  # the run's vCenter calls went through it
