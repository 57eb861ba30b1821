"""The local lab: an empty vCenter simulator with the sample estate loaded into it."""

from __future__ import annotations

from pathlib import Path

from lab.estate import SAMPLE_ESTATE, load_estate_file
from lab.loader import LoadReport, Progress, load_estate
from lab.vcsim import Simulator, start_vcsim


def start_lab(estate_file: Path = SAMPLE_ESTATE, progress: Progress | None = None) -> Simulator:
    """A running simulator holding the estate of `estate_file`; stop it with `.stop()` or a `with` block.

    The load's report (counts, seconds, gaps) is kept on the simulator as `.load_report`.
    """
    estate = load_estate_file(estate_file)
    simulator = start_vcsim()
    try:
        report: LoadReport = load_estate(simulator.url, simulator.username, simulator.password, estate,
                                         datastore_root=simulator.workdir / "datastores", ca_file=simulator.ca_file,
                                         progress=progress)
    except BaseException:
        simulator.stop()
        raise
    simulator.load_report = report
    return simulator
