"""The rate each disk copy of a run may read, from the run's limits (`migrate run --bwlimit`, `--bwlimit-node`).

qemu-img's `-r` limits one copy; a limit for the run, or for a node, is shared evenly by the copies that can
run at once: the run's parallelism, a node's `--per-node`, neither more than the VMs there are. Fewer copies
running than that use less than the limit, never more (a copy's rate is fixed when it starts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

MIB = 1024**2


def copy_rates(nodes: Iterable[str], parallel: int, per_node: int, run_limit_mib_s: float | None,
               node_limit_mib_s: float | None) -> dict[str, int]:
    """Per node, the bytes per second each copy there may read; {} without a limit. `nodes`: each VM's node."""
    if not run_limit_mib_s and not node_limit_mib_s:
        return {}
    on_node = Counter(nodes)
    at_once = min(parallel, sum(on_node.values())) or 1
    rates = {}
    for node, vms in on_node.items():
        shares = []
        if run_limit_mib_s:
            shares.append(run_limit_mib_s / at_once)
        if node_limit_mib_s:
            shares.append(node_limit_mib_s / (min(per_node, vms, at_once) or 1))
        rates[node] = max(1, int(min(shares) * MIB))
    return rates


def describe(rates: dict[str, int]) -> str:
    """`pve1 50 MiB/s, pve2 100 MiB/s` per copy, for the run's log."""
    return ", ".join(f"{node} {rate / MIB:.4g} MiB/s" for node, rate in sorted(rates.items()))
