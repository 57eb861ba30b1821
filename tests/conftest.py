"""Shared fixtures: a fakepve (PVE 9 API schema) served in-process, with a `dir` storage called `tgt`.

The `fakepve` fixture comes from fakepve's pytest plugin, registered by its entry point.
"""

from __future__ import annotations

import pytest



@pytest.fixture
def pve_api(fakepve, fakepve_cafile, tmp_path):
    """A proxmoxer client of the fakepve fixture, with storage `tgt` (dir) on node pve1."""
    from proxmoxer import ProxmoxAPI

    host, port = fakepve.url.removeprefix("https://").rsplit(":", 1)
    api = ProxmoxAPI(host, port=int(port), user="root@pam", password="secret", verify_ssl=fakepve_cafile)
    api.storage.post(storage="tgt", type="dir", path=str(tmp_path / "store"), content="images")
    return api
