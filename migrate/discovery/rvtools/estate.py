"""vHost, vCluster and vDatastore: the hosts, clusters and datastores around the VMs."""

from __future__ import annotations

import re

from migrate.inventory.model import Cluster, Datastore, Host
from migrate.discovery.rvtools.table import Row, Table

_ESX_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)(?:.*build-(\d+))?")


def read_vhost(table: Table) -> list[Host]:
    table.require("Host")
    return [_host(row) for row in table.rows() if row.text("Host")]


def _host(row: Row) -> Host:
    version, build = _esx_version(row.text("ESX Version"))
    memory = row.bytes_from_mib("# Memory")
    return Host(
        name=row.text("Host"),
        moref=row.text("Object ID"),
        datacenter=row.text("Datacenter"),
        cluster=row.text("Cluster"),
        cpu_model=row.text("CPU Model"),
        cpu_sockets=row.int("# CPU"),
        cpu_cores=row.int("# Cores"),
        cpu_mhz=row.int("Speed"),
        memory_bytes=memory,
        esxi_version=version,
        esxi_build=build,
        maintenance=row.bool("in Maintenance Mode"),
    )


def _esx_version(text: str | None) -> tuple[str | None, str | None]:
    """`VMware ESXi 8.0.3 build-24022510` -> ("8.0.3", "24022510")."""
    match = _ESX_VERSION.search(text or "")
    if not match:
        return None, None
    return match.group(1), match.group(2)


def read_vcluster(table: Table, hosts: list[Host]) -> list[Cluster]:
    """Clusters; vCluster has no datacenter column, so it comes from the cluster's hosts when they agree."""
    table.require("Name")
    datacenters: dict[str, set[str | None]] = {}
    for host in hosts:
        if host.cluster:
            datacenters.setdefault(host.cluster, set()).add(host.datacenter)
    clusters = []
    for row in table.rows():
        name = row.text("Name")
        if name is None:
            continue
        candidates = datacenters.get(name, set())
        clusters.append(Cluster(
            name=name,
            moref=row.text("Object ID"),
            datacenter=next(iter(candidates)) if len(candidates) == 1 else None,
            ha_enabled=row.bool("HA enabled"),
            ha_admission_control=row.bool("AdmissionControlEnabled"),
            drs_enabled=row.bool("DRS enabled"),
            drs_behavior=row.text("DRS default VM behavior"),
        ))
    return clusters


def read_vdatastore(table: Table) -> list[Datastore]:
    table.require("Name")
    return [
        Datastore(
            name=row.text("Name"),
            moref=row.text("Object ID"),
            type=row.text("Type"),
            capacity_bytes=row.bytes_from_mib("Capacity MiB"),
            free_bytes=row.bytes_from_mib("Free MiB"),
            url=row.text("URL"),
            accessible=row.bool("Accessible"),
        )
        for row in table.rows()
        if row.text("Name")
    ]
