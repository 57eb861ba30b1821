"""Source VM operations against the vCenter simulator: stop, power on, NICs, datastore URLs."""

from __future__ import annotations

import pytest
from pyVmomi import vim

from migrate.clients.vsphere import power
from migrate.clients.vsphere.connection import VcenterEndpoint, connect
from migrate.errors import SourceProtocolError
from lab.vcsim import start_vcsim


@pytest.fixture(scope="module")
def sim():
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 2, "ds": 1}) as simulator:
        yield simulator


@pytest.fixture
def conn(sim):
    with connect(VcenterEndpoint(sim.host, sim.username, sim.password, port=sim.port, ca_file=str(sim.ca_file))) as c:
        yield c


def a_vm(conn) -> str:
    view = conn.content.viewManager.CreateContainerView(conn.content.rootFolder, [vim.VirtualMachine], True)
    return sorted(view.view, key=lambda vm: vm.name)[0]._moId


def test_stop_then_power_on_brings_the_vm_back(conn):
    moref = a_vm(conn)
    power.power_on(conn, moref)
    assert power.stop(conn, moref, timeout=10, allow_power_off=True) in {"guest shutdown", "powered off"}
    assert power.power_state(conn, moref) == "poweredOff"
    assert power.stop(conn, moref, timeout=10, allow_power_off=False) == "already off"
    power.power_on(conn, moref)
    assert power.power_state(conn, moref) == "poweredOn"


def test_nics_are_disconnected_and_reconnected(conn):
    moref = a_vm(conn)
    assert power.set_nics_connected(conn, moref, False)
    vm = power.find_vm(conn, moref)
    cards = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    assert cards and all(not c.connectable.startConnected for c in cards)
    power.set_nics_connected(conn, moref, True)
    cards = [d for d in power.find_vm(conn, moref).config.hardware.device
             if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    assert all(c.connectable.startConnected for c in cards)


def test_a_vanished_vm_is_named(conn):
    with pytest.raises(SourceProtocolError, match="VM vm-99999 is no longer on vCenter"):
        power.power_state(conn, "vm-99999")


def test_the_datastore_url_is_percent_encoded_and_the_cookie_is_one_pair(conn, sim):
    url = power.datastore_file_url(conn, "DC 0", "[Local DS] my vm/my vm&1.vmdk")
    assert url == f"https://{sim.host}:{sim.port}/folder/my%20vm/my%20vm%261.vmdk?dcPath=DC+0&dsName=Local+DS"
    assert power.session_cookie(conn).startswith("vmware_soap_session=") and ";" not in power.session_cookie(conn)
