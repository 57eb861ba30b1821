"""The lab's DRS rules and vSphere HA overrides, discovered through the vSphere API, are the estate's."""

from __future__ import annotations

import pytest

from lab.estate import estate_to_inventory, load_estate_file
from migrate.clients.vsphere.connection import VcenterEndpoint, connect
from migrate.discovery.vcenter.harvest import harvest

pytestmark = pytest.mark.vcsim


@pytest.fixture(scope="module")
def discovered(lab):
    endpoint = VcenterEndpoint(lab.host, lab.username, lab.password, port=lab.port, ca_file=str(lab.ca_file))
    with connect(endpoint) as connection:
        return {c.name: c for c in harvest(connection).inventory.clusters}


def test_discovery_reads_every_drs_rule_of_the_estate_a_vm_host_rule_by_its_groups(discovered):
    expected = {c.name: c for c in estate_to_inventory(load_estate_file()).clusters}
    assert {name: c.rules for name, c in discovered.items()} == {name: c.rules for name, c in expected.items()}
    rule = next(r for r in discovered["Prod"].rules if r.kind == "vm-host")
    assert (rule.vms, rule.hosts, rule.host_affinity) == (
        ["app-prd-01", "app-prd-02"], ["esx-e01.east.lab.example", "esx-e02.east.lab.example"], "affine")


def test_discovery_reads_each_vms_ha_restart_priority_and_isolation_response(discovered):
    assert discovered["Prod"].ha_vm_overrides == {
        "sql-prd-01": {"restart_priority": "highest"}, "sql-prd-02": {"restart_priority": "highest"},
        "web-prd-06": {"restart_priority": "disabled", "isolation_response": "none"}}
    assert discovered["DMZ"].ha_vm_overrides == {}
