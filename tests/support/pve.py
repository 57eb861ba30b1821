"""fakepve helpers: an API token for the toolkit, extra nodes, storages and bridges per node."""

from __future__ import annotations

from fakepve import shapes

from migrate.clients.proxmox import PveEndpoint

TOKEN_ID = "migrate@pve!plan"
SECRET = "tok-3f9a1c7e-secret"
GIB = 1024**3


def endpoint(fakepve, cafile, secret: str = SECRET, **overrides) -> PveEndpoint:
    """An endpoint of the fakepve fixture using the toolkit's token (registered here)."""
    fakepve.apitokens[TOKEN_ID] = SECRET
    host, port = fakepve.url.removeprefix("https://").rsplit(":", 1)
    values = dict(host=host, port=int(port), token_id=TOKEN_ID, secret=secret, ca_file=cafile, timeout=10)
    return PveEndpoint(**{**values, **overrides})


def add_nodes(fakepve, count: int) -> None:
    """Make the cluster `count` nodes: pve1 exists, pve2.. are added."""
    for index in range(2, count + 1):
        fakepve.add_node(f"pve{index}")


def add_storage(fakepve, name: str, path, total_gib: int, used_gib: int = 0, kind: str = "dir", shared: bool = False) -> None:
    """A storage with images content, `total_gib` big with `used_gib` taken (as `avail`)."""
    fakepve.storages[name] = {
        "type": kind, "path": str(path), "content": "images", "active": 1, "files": set(), "volumes": {},
        "total": total_gib * GIB, "avail": (total_gib - used_gib) * GIB, "shared": 1 if shared else 0,
    }


def set_bridges(monkeypatch, per_node: dict[str, list[tuple[str, bool]]]) -> None:
    """Bridges per node as (name, VLAN-aware); fakepve's network answer is canned, so its shape is patched."""

    def networks(ctx):
        bridges = per_node.get(ctx.get("node"), [])
        return [{"iface": name, "type": "bridge", "active": 1, "autostart": 1, "families": ["inet"],
                 "method": "manual", "method6": "manual", "priority": 3, "bridge_ports": "eno1",
                 **({"bridge_vlan_aware": 1} if aware else {})} for name, aware in bridges]

    monkeypatch.setitem(shapes.FIXUPS, "/nodes/{node}/network", [shapes.replace(networks)])


def set_zones(monkeypatch, zones: dict[str, str | None]) -> None:
    """The cluster's SDN zones as name -> its node list ("pve1,pve2"; None: every node); the answer is patched."""

    def answer(ctx):
        return [{"zone": name, "type": "simple", "digest": "0" * 40, **({"nodes": nodes} if nodes else {})}
                for name, nodes in zones.items()]

    monkeypatch.setitem(shapes.FIXUPS, "/cluster/sdn/zones", [shapes.replace(answer)])


def set_vnets(monkeypatch, vnets: list[tuple[str, bool]]) -> None:
    """The cluster's SDN VNets as (name, VLAN-aware); fakepve's answer is canned, so its shape is patched."""

    def answer(ctx):
        return [{"vnet": name, "zone": "lab", "type": "vnet", "digest": "0" * 40,
                 **({"vlanaware": 1} if aware else {})} for name, aware in vnets]

    monkeypatch.setitem(shapes.FIXUPS, "/cluster/sdn/vnets", [shapes.replace(answer)])
