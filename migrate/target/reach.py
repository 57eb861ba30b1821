"""How to reach a node's SSH: the address recorded with the target (`target set --node-address`), else the node's
address in the cluster (as discovered, or read from /cluster/status at run time), else its name.

`target check` and `migrate run` both ask here, so a host key that the check finds missing is the one the run
would refuse, and the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from migrate.db.plan_models import Target
from migrate.addresses import host_and_port
from migrate.errors import UsageError


@dataclass(frozen=True)
class SshAddress:
    host: str
    port: int

    def __str__(self) -> str:
        return self.host if self.port == 22 else f"{self.host}:{self.port}"


def ssh_address(target: Target, node: str, cluster_address: str | None,
                overrides: Mapping[str, str] | None = None, port: int | None = None) -> SshAddress:
    """Where node `node` of `target` is reached by SSH; `overrides` and `port` are a run's own flags."""
    value = (overrides or {}).get(node) or (target.node_addresses or {}).get(node) or cluster_address or node
    return split_address(value, port or target.ssh_port or 22)


def split_address(value: str, default_port: int) -> SshAddress:
    """HOST, HOST:PORT or [IPv6]:PORT."""
    return SshAddress(*host_and_port(value, default_port, "node address"))


def parse_node_address(value: str) -> tuple[str, str]:
    """`NODE=HOST[:PORT]` -> (node, address); an empty address (`NODE=`) removes the node's recorded address."""
    node, sep, address = value.partition("=")
    if not sep or not node.strip():
        raise UsageError(f"--node-address {value!r}: give it as NODE=HOST[:PORT], e.g. pve1=10.0.0.11")
    if address.strip():
        split_address(address.strip(), 22)
    return node.strip(), address.strip()
