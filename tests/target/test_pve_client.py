"""Reading a Proxmox cluster through the API (fakepve, validated against the PVE 9 schema)."""

from __future__ import annotations

import pytest

from migrate.clients.proxmox import connect
from migrate.discovery.target import read_target
from migrate.errors import TargetAuthError, TargetTlsError, TargetUnreachableError, UsageError
from tests.support.pve import GIB, SECRET, TOKEN_ID, add_nodes, add_storage, endpoint, set_bridges, set_vnets, set_zones


def test_endpoint_repr_hides_the_secret(fakepve, fakepve_cafile):
    assert SECRET not in repr(endpoint(fakepve, fakepve_cafile))


def test_read_target_of_a_three_node_cluster(fakepve, fakepve_cafile, monkeypatch, tmp_path):
    add_nodes(fakepve, 3)
    add_storage(fakepve, "ceph-vm", tmp_path, total_gib=1000, used_gib=100, kind="rbd", shared=True)
    set_bridges(monkeypatch, {"pve1": [("vmbr0", False), ("vmbr1", True)], "pve2": [("vmbr0", False)],
                              "pve3": [("vmbr0", False), ("vmbr1", True)]})
    fakepve.add_vm(node="pve2", vmid=150, name="existing", config={"net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0"})

    snapshot = read_target(connect(endpoint(fakepve, fakepve_cafile)), "pve-prod")

    assert [n.name for n in snapshot.nodes] == ["pve1", "pve2", "pve3"]
    assert snapshot.node_count == 3 and snapshot.quorate
    assert {(b.node, b.name, b.vlan_aware) for b in snapshot.bridges} >= {("pve1", "vmbr1", True), ("pve2", "vmbr0", False)}
    assert ("pve2", "vmbr1") not in {(b.node, b.name) for b in snapshot.bridges}
    ceph = [s for s in snapshot.storages if s.storage == "ceph-vm" and s.node == "pve1"][0]
    assert ceph.shared and ceph.is_ceph and ceph.total == 1000 * GIB and ceph.taken == 100 * GIB
    assert snapshot.ceph_health == "HEALTH_OK"
    assert snapshot.vmids == {150} and snapshot.names == {"existing"} and snapshot.macs == {"BC:24:11:00:00:01"}
    assert "VM.Allocate" in snapshot.privileges


def test_sdn_vnets_are_bridges_of_the_nodes_of_their_zone(fakepve, fakepve_cafile, monkeypatch):
    add_nodes(fakepve, 3)
    set_bridges(monkeypatch, {"pve1": [("vmbr0", False)], "pve2": [("vmbr0", False)], "pve3": [("vmbr0", False)]})
    set_vnets(monkeypatch, [("vnet10", False), ("vnet20", True)])
    set_zones(monkeypatch, {"lab": "pve1,pve3"})

    snapshot = read_target(connect(endpoint(fakepve, fakepve_cafile)), "t")

    vnets = {(b.node, b.name, b.vlan_aware) for b in snapshot.bridges if b.kind == "vnet"}
    assert vnets == {(node, name, aware) for node in ("pve1", "pve3") for name, aware in (("vnet10", False),
                                                                                           ("vnet20", True))}
    assert set(snapshot.bridges_on("pve2")) == {"vmbr0"}
    set_zones(monkeypatch, {"lab": None})  # a zone without a node list spans the cluster
    snapshot = read_target(connect(endpoint(fakepve, fakepve_cafile)), "t")
    assert set(snapshot.bridges_on("pve2")) == {"vmbr0", "vnet10", "vnet20"}


def test_read_target_sees_lost_quorum(fakepve, fakepve_cafile):
    add_nodes(fakepve, 2)
    fakepve.lose_quorum()
    snapshot = read_target(connect(endpoint(fakepve, fakepve_cafile)), "t")
    assert not snapshot.quorate and snapshot.node_count == 2
    assert snapshot.ceph_health is None


def test_read_target_lists_only_the_tokens_privileges(fakepve, fakepve_cafile):
    fakepve.grant("migrate@pve", "/", "Sys.Audit", "VM.Audit", "Datastore.Audit")
    snapshot = read_target(connect(endpoint(fakepve, fakepve_cafile)), "t")
    assert snapshot.privileges == ("Datastore.Audit", "Sys.Audit", "VM.Audit")


def test_snapshot_round_trips_through_its_document(fakepve, fakepve_cafile):
    from migrate.target.model import TargetSnapshot

    fakepve.add_vm(node="pve1", vmid=101, name="a", config={"net0": "virtio=BC:24:11:00:00:02,bridge=vmbr0"})
    snapshot = read_target(connect(endpoint(fakepve, fakepve_cafile)), "t")
    assert TargetSnapshot.from_dict(snapshot.to_dict()) == snapshot


def test_bad_secret_is_an_auth_error_naming_the_token_and_the_variable(fakepve, fakepve_cafile):
    with pytest.raises(TargetAuthError) as caught:
        connect(endpoint(fakepve, fakepve_cafile, secret="wrong"))
    assert TOKEN_ID in str(caught.value) and "MIGRATE_PVE_TOKEN_SECRET" in str(caught.value)
    assert "wrong" not in str(caught.value)


def test_untrusted_certificate_is_refused_by_default(fakepve, fakepve_cafile):
    with pytest.raises(TargetTlsError, match="--ca-file"):
        connect(endpoint(fakepve, fakepve_cafile, ca_file=None))


def test_insecure_skips_certificate_verification(fakepve, fakepve_cafile):
    connect(endpoint(fakepve, fakepve_cafile, ca_file=None, insecure=True))


def test_closed_port_is_unreachable(fakepve, fakepve_cafile):
    with pytest.raises(TargetUnreachableError, match="cannot connect"):
        connect(endpoint(fakepve, fakepve_cafile, port=1))


def test_a_token_id_without_realm_and_name_is_a_usage_error(fakepve, fakepve_cafile):
    with pytest.raises(UsageError, match="user@realm!name"):
        connect(endpoint(fakepve, fakepve_cafile, token_id="migrate"))


def test_an_api_that_does_not_answer_times_out_with_the_configured_timeout(fakepve, fakepve_cafile):
    import time

    fakepve.time_scale = 1
    fakepve.flaky_network(hang_rate=1, hang_secs=3, seed=1)
    started = time.monotonic()
    with pytest.raises(TargetUnreachableError, match="did not answer /version within 1 s"):
        connect(endpoint(fakepve, fakepve_cafile, timeout=1))
    assert time.monotonic() - started < 10
    fakepve.flaky_network()


def test_the_default_timeout_is_well_above_proxmoxers_five_seconds():
    from migrate.clients.proxmox import DEFAULT_TIMEOUT, PveEndpoint

    assert PveEndpoint("h", "u@pve!t", "s").timeout == DEFAULT_TIMEOUT >= 30


class DropCounter:
    """Stands in for fakepve's random source: drops the first `drops` requests (all when None), counting them."""

    def __init__(self, drops: int | None = None) -> None:
        self.drops, self.requests = drops, 0

    def random(self) -> float:
        self.requests += 1
        return 0.0 if self.drops is None or self.requests <= self.drops else 1.0

    def uniform(self, low: float, high: float) -> float:
        return low


def dropping(fakepve, drops: int | None = None) -> DropCounter:
    # A dropped request never reaches fakepve's request log, so its random source is what counts them.
    counter = fakepve._random = DropCounter(drops)
    fakepve.flaky_network(drop_rate=1)
    return counter


def test_a_dropped_get_is_sent_again_and_answered(fakepve, fakepve_cafile):
    client = connect(endpoint(fakepve, fakepve_cafile))
    client.get_backoff = 0
    counter = dropping(fakepve, drops=2)
    assert [n["node"] for n in client.get("/nodes")] == ["pve1"]
    assert counter.requests == 3


def test_a_get_dropped_every_time_gives_up_after_its_attempts_and_a_post_is_never_sent_again(fakepve,
                                                                                             fakepve_cafile):
    from migrate.clients.proxmox.connection import GET_ATTEMPTS

    client = connect(endpoint(fakepve, fakepve_cafile))
    client.get_backoff = 0
    counter = dropping(fakepve)
    with pytest.raises(TargetUnreachableError, match="cannot connect to Proxmox API"):
        client.get("/nodes")
    assert counter.requests == GET_ATTEMPTS
    counter.requests = 0
    with pytest.raises(TargetUnreachableError):
        client.post("/nodes/pve1/qemu", vmid=100, name="x")  # its effect may have happened: not sent again
    assert counter.requests == 1
