"""Every VM of the sample estate, mapped with the sample map, is created by the PVE 9 API schema (fakepve)."""

from __future__ import annotations

from pathlib import Path

import pytest
from proxmoxer.tools import Tasks

from lab.estate import estate_to_inventory, load_estate_file
from migrate.mapping import TargetFacts, load_mappings
from migrate.readiness import assess

SAMPLE_MAP = Path(__file__).resolve().parents[2] / "sample_inventory" / "mappings.yaml"


@pytest.fixture(scope="module")
def sample_configs():
    inventory = estate_to_inventory(load_estate_file())
    assessments = assess(inventory, load_mappings(SAMPLE_MAP), TargetFacts())
    configs = []
    for assessment in assessments:
        configs.append(assessment.config)
        if assessment.config.virtio_variant is not None:
            configs.append(assessment.config.virtio_variant)
    return configs


def test_every_sample_vm_config_is_created_by_the_pve_api(pve_api, tmp_path, sample_configs):
    for storage in ("ceph-vm", "nfs-bulk"):
        pve_api.storage.post(storage=storage, type="dir", path=str(tmp_path / storage), content="images")
    assert len(sample_configs) >= 76
    failures = []
    for vmid, config in enumerate(sample_configs, start=1000):
        try:
            upid = pve_api.nodes("pve1").qemu.post(**config.api_params(vmid))
            status = Tasks.blocking_status(pve_api, upid, polling_interval=0.01)
            if status["exitstatus"] != "OK":
                failures.append(f"{config.source_name}: {status['exitstatus']}")
        except Exception as exc:  # noqa: BLE001  (collect every rejected config, not only the first)
            failures.append(f"{config.source_name}: {exc}")
    assert failures == []
    names = {vm["name"] for vm in pve_api.cluster.resources.get(type="vm")}
    assert {config.name for config in sample_configs} <= names
