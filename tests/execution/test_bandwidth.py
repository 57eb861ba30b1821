"""How the run's bandwidth limits are shared out among the copies that can run at once."""

from migrate.execution.bandwidth import MIB, copy_rates, describe


def test_a_run_limit_is_shared_by_the_copies_that_can_run_at_once():
    assert copy_rates(["pve1"] * 6, parallel=4, per_node=2, run_limit_mib_s=400, node_limit_mib_s=None) == {
        "pve1": 100 * MIB}
    assert copy_rates(["pve1"], parallel=4, per_node=2, run_limit_mib_s=400, node_limit_mib_s=None) == {
        "pve1": 400 * MIB}, "one VM: its copy may take the whole limit"


def test_a_node_limit_is_shared_by_that_nodes_copies_and_the_tighter_limit_wins():
    rates = copy_rates(["pve1", "pve1", "pve1", "pve2"], parallel=4, per_node=2, run_limit_mib_s=None,
                       node_limit_mib_s=100)
    assert rates == {"pve1": 50 * MIB, "pve2": 100 * MIB}
    both = copy_rates(["pve1", "pve1", "pve2"], parallel=3, per_node=2, run_limit_mib_s=90, node_limit_mib_s=100)
    assert both == {"pve1": 30 * MIB, "pve2": 30 * MIB}
    assert describe(both) == "pve1 30 MiB/s, pve2 30 MiB/s"


def test_no_limit_gives_no_rates():
    assert copy_rates(["pve1"], parallel=4, per_node=2, run_limit_mib_s=None, node_limit_mib_s=None) == {}
