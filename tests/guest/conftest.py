"""The real guest: a Debian 12 disk "as installed on VMware", built once per machine (lab/guest_image.py)."""

from __future__ import annotations

import pytest

from lab.guest_image import guest_disk


@pytest.fixture(scope="session")
def guest_vmdk():
    """The cached guest VMDK (built on first use: about two minutes under TCG)."""
    return guest_disk().vmdk
