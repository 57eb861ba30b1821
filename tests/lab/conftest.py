"""The lab, started once for the lab tests: the sample estate loaded into the vCenter simulator (read-only)."""

import pytest

from lab.lab import start_lab


@pytest.fixture(scope="session")
def lab():
    with start_lab() as simulator:
        yield simulator
