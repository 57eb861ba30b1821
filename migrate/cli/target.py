"""`migrate target`: the Proxmox VE cluster the VMs move to: add it, discover it, check it as a landing zone."""

from __future__ import annotations

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.clients.proxmox import DEFAULT_PORT, SECRET_ENV
from migrate.addresses import host_and_port
from migrate.errors import BlockersFound, UsageError
from migrate.readiness.rule import Severity
from migrate.target.model import TargetSnapshot
from migrate.discovery.target import discover_target
from migrate.planning.model import DEFAULT_THROUGHPUT_MIB_S
from migrate.planning.target_check import check_target
from migrate.target.reach import parse_node_address
from migrate.target.store import TargetChanges, TargetSpec, add_target, list_targets, set_target
from migrate.words import counted

FINDING_HEADERS = ("rule_id", "severity", "message", "remedy")  # the names readiness uses


throughput_option = click.option(
    "--throughput-mib-s", type=click.FloatRange(min=0, min_open=True), metavar="MIB/S",
    help="Copy speed per VM that plans onto this target assume until runs have measured some (default 100).")


virtio_win_option = click.option(
    "--virtio-win", metavar="PATH",
    help="The virtio-win ISO's path on every node: Windows guests are converted with its drivers and planned on VirtIO.")


@click.group()
def target() -> None:
    """Add, discover and check the Proxmox VE target cluster."""


@target.command()
@click.argument("name")
@click.option("--api", "api", required=True, metavar="HOST[:PORT]", help=f"The Proxmox API (port {DEFAULT_PORT} unless given).")
@click.option("--token-id", required=True, metavar="USER@REALM!NAME",
              help="API token, e.g. migrate@pve!plan (privilege separated).")
@click.option("--ca-file", type=click.Path(dir_okay=False), help="PEM file of the CA that signed the API's certificate.")
@click.option("--insecure", is_flag=True, help="Do not verify the API's certificate (lab use only).")
@click.option("--ssh-user", metavar="USER", help="User for the nodes' shells (the executor runs qemu-img there).")
@click.option("--ssh-key", type=click.Path(dir_okay=False), help="Private key for the nodes' shells.")
@click.option("--known-hosts", type=click.Path(dir_okay=False), help="known_hosts file with the nodes' host keys (verified).")
@throughput_option
@virtio_win_option
@pass_app
def add(app: AppContext, name: str, api: str, token_id: str, ca_file: str | None, insecure: bool,
        ssh_user: str | None, ssh_key: str | None, known_hosts: str | None, throughput_mib_s: float | None,
        virtio_win: str | None) -> None:
    """Record a target; the token secret is read from MIGRATE_PVE_TOKEN_SECRET when used, never stored.

    \b
    Example:
      migrate target add pve-prod --api pve1.example.com:8006 --token-id 'migrate@pve!plan' \\
          --ssh-user root --ssh-key ~/.ssh/id_ed25519 --known-hosts ~/.ssh/known_hosts
    """
    host, port = api_address(api)
    spec = TargetSpec(name, host, port, token_id, ca_file, insecure, ssh_user, ssh_key, known_hosts, throughput_mib_s,
                      virtio_win)
    with app.session() as session:
        added = add_target(session, spec)
        session.commit()
    click.echo(f"added target {added.name}: https://{added.api_host}:{added.api_port} as {added.token_id}", file=app.stdout)
    app.say(f"next: export {SECRET_ENV}=...; migrate target discover {added.name}")


@target.command("set")
@click.argument("name")
@click.option("--node-address", "node_addresses", multiple=True, metavar="NODE=HOST[:PORT]",
              help="Reach NODE's SSH at HOST[:PORT] instead of its cluster address (repeatable; NODE= removes it).")
@click.option("--ssh-port", type=click.IntRange(1, 65535), help="The nodes' SSH port (default 22).")
@click.option("--ssh-user", metavar="USER", help="User for the nodes' shells.")
@click.option("--ssh-key", type=click.Path(dir_okay=False), help="Private key for the nodes' shells.")
@click.option("--known-hosts", type=click.Path(dir_okay=False), help="known_hosts file with the nodes' host keys.")
@throughput_option
@click.option("--clear-throughput", is_flag=True, help="Forget the copy speed: plans assume the default again.")
@virtio_win_option
@click.option("--clear-virtio-win", is_flag=True, help="Forget the ISO: Windows guests keep their safe config again.")
@pass_app
def set_command(app: AppContext, name: str, node_addresses: tuple[str, ...], ssh_port: int | None, ssh_user: str | None,
                ssh_key: str | None, known_hosts: str | None, throughput_mib_s: float | None,
                clear_throughput: bool, virtio_win: str | None, clear_virtio_win: bool) -> None:
    """Change how target NAME's nodes are reached (`target check` and `migrate run` both use it), the copy speed
    per VM its plans assume, and the virtio-win ISO its Windows guests are converted with.

    \b
    Example:
      migrate target set pve-prod --node-address pve1=10.0.10.11 --node-address pve2=10.0.10.12
      migrate target set pve-prod --throughput-mib-s 250
      migrate target set pve-prod --virtio-win /var/lib/vz/template/iso/virtio-win.iso
    """
    if throughput_mib_s is not None and clear_throughput:
        raise UsageError("give one of --throughput-mib-s N and --clear-throughput")
    if virtio_win is not None and clear_virtio_win:
        raise UsageError("give one of --virtio-win PATH and --clear-virtio-win")
    if not (node_addresses or ssh_port or ssh_user or ssh_key or known_hosts or throughput_mib_s is not None
            or clear_throughput or virtio_win or clear_virtio_win):
        raise UsageError("nothing to change: give --node-address, --ssh-port, --ssh-user, --ssh-key, --known-hosts, "
                         "--throughput-mib-s, --clear-throughput, --virtio-win or --clear-virtio-win")
    changes = TargetChanges(ssh_user, ssh_key, known_hosts, ssh_port,
                            tuple(parse_node_address(value) for value in node_addresses), throughput_mib_s,
                            clear_throughput, "" if clear_virtio_win else virtio_win)
    with app.session() as session:
        changed = set_target(session, name, changes)
        session.commit()
        addresses = ", ".join(f"{node}={address}" for node, address in sorted((changed.node_addresses or {}).items()))
        speed = changed.throughput_mib_s
        line = (f"target {changed.name}: nodes reached as {changed.ssh_user or 'root'} on port {changed.ssh_port}"
                + (f", {addresses}" if addresses else ", at their cluster addresses")
                + "; plans assume " + (f"{speed:g} MiB/s per VM" if speed else
                                       f"the default {DEFAULT_THROUGHPUT_MIB_S:g} MiB/s per VM")
                + " until runs on it have measured copies"
                + (f"; Windows guests converted with {changed.virtio_win}" if changed.virtio_win
                   else "; no virtio-win ISO: Windows guests keep their safe config"))
    click.echo(line, file=app.stdout)


@target.command("list")
@render.format_option
@pass_app
def list_command(app: AppContext, output_format: str) -> None:
    """List the targets.

    \b
    Example:
      migrate target list
    """
    headers = ("name", "api", "token_id", "tls", "ssh_user", "throughput_mib_s", "virtio_win")
    with app.session() as session:
        rows = [(t.name, f"{t.api_host}:{t.api_port}", t.token_id, _tls(t.ca_file, t.insecure), t.ssh_user or "",
                 t.throughput_mib_s, t.virtio_win or "") for t in list_targets(session)]
    render.rows(app.stdout, output_format, headers, rows)


@target.command()
@click.argument("name")
@pass_app
def discover(app: AppContext, name: str) -> None:
    """Read nodes, storages, bridges, VMIDs, names, MACs, quorum, Ceph, HA and the token's privileges.

    \b
    Example:
      MIGRATE_PVE_TOKEN_SECRET=... migrate target discover pve-prod
    """
    with app.session() as session:
        record = discover_target(session, name, app.env.get(SECRET_ENV))
        session.commit()
    snapshot = TargetSnapshot.from_dict(record.facts)
    click.echo(f"discovered {name} (snapshot {record.version}): {_summary(snapshot)}", file=app.stdout)


@target.command()
@click.argument("name")
@click.option("--mappings", "mappings_dir", default="mappings", show_default=True, type=click.Path(file_okay=False),
              help="Directory of the sources' mapping files, whose bridges and VLANs are checked.")
@render.format_option
@pass_app
def check(app: AppContext, name: str, mappings_dir: str, output_format: str) -> None:
    """Check the target as a landing zone, with the latest plans placed; exit 3 when a blocker is found.

    \b
    Example:
      migrate target check pve-prod
    """
    with app.session() as session:
        findings = check_target(session, name, mappings_dir)
    rows = [(f.rule_id, str(f.severity), f.message, f.remedy) for f in findings]
    render.rows(app.stdout, output_format, FINDING_HEADERS, rows)
    blockers = sum(1 for f in findings if f.severity is Severity.BLOCKER)
    if blockers:
        raise BlockersFound(f"target {name} has {blockers} blocker findings: apply their remedies before migrating")
    app.say(f"{name}: {len(findings)} findings, no blocker" if findings else f"{name}: no findings")


def api_address(api: str) -> tuple[str, int]:
    """`host`, `host:port` or `https://host:port/` as (host, port)."""
    return host_and_port(api, DEFAULT_PORT, "--api")


def _tls(ca_file: str | None, insecure: bool) -> str:
    return "NOT VERIFIED" if insecure else (f"CA {ca_file}" if ca_file else "system CAs")


def _summary(s: TargetSnapshot) -> str:
    ceph = f", Ceph {s.ceph_health}" if s.ceph_health else ""
    quorum = "quorate" if s.quorate else "NOT QUORATE"
    online = sum(1 for n in s.nodes if n.online)
    storages = len({st.storage for st in s.storages})
    bridges = len({b.name for b in s.bridges if b.kind == "bridge"})
    vnets = len({b.name for b in s.bridges if b.kind == "vnet"})
    vnet_count = f", {vnets} SDN VNets" if vnets else ""
    return (f"{len(s.nodes)} nodes ({online} online), {storages} storages, {bridges} bridges{vnet_count}, "
            f"{counted(len(s.guests), 'VM')}, {quorum}{ceph}")
