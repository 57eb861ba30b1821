"""A wave the toolkit migrated onto the lab's simulated cluster, as the journal and the target hold it after
`migrate run`, without running it: the inventory (with a DRS rule), the plan, the journal's migrations, and
target VMs carrying the toolkit's marker; beside them a VM and an HA resource the toolkit never made."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from migrate.clients.proxmox.vm import Ownership, with_marker
from migrate.db.execution_models import VmMigration, VmStatus
from migrate.db.models import VmRecord
from migrate.db.plan_models import PlanRecord, Target, TargetSnapshotRecord, Wave
from migrate.inventory.model import Cluster, ClusterRule
from migrate.planning.model import Plan, PlanSettings
from migrate.planning.store import plan_digest
from tests.execution.planned import make_planned_vm
from tests.factories import make_inventory, make_snapshot, make_vm, store_inventory

# name -> (VMID, node, disk volid): the two SQL servers on Ceph, the web server on a node's local LVM.
MIGRATED = {"sql-01": (1001, "pve1", "ceph-vm:vm-1001-disk-0"), "sql-02": (1002, "pve2", "nfs-bulk:1002/vm-1002-disk-0.raw"),
            "web-01": (1003, "pve3", "local-lvm:vm-1003-disk-0")}
NOT_MIGRATED = "app-09"  # in the wave, its migration failed
FOREIGN_VMID = 900  # the customer's own VM, HA-managed and backed up before the toolkit came


@dataclass(frozen=True)
class Bed:
    vmids: dict[str, int]


def build(session, sim, wave: int = 1) -> Bed:
    rules = [ClusterRule("SQL apart", "anti-affinity", True, True, ["sql-01", "sql-02"]),
             ClusterRule("web on gold hosts", "vm-host", True, False, ["web-01"])]
    inventory = make_inventory(*(make_vm(name) for name in [*MIGRATED, NOT_MIGRATED]))
    inventory.clusters = [Cluster("Prod", rules=rules)]
    store_inventory(session, inventory)
    ids = {r.name: r.id for r in session.scalars(select(VmRecord))}
    planned = [make_planned_vm(name, vm_id=ids[name], vm_key=f"key-{name}", vmid=vmid, node=node)
               for name, (vmid, node, _) in MIGRATED.items()]
    planned.append(make_planned_vm(NOT_MIGRATED, vm_id=ids[NOT_MIGRATED], vm_key=f"key-{NOT_MIGRATED}", vmid=1009))
    target = Target(name="pve-lab", api_host=sim.host, api_port=sim.port, token_id="migrate@pve!demo",
                    ca_file=str(sim.ca_file))
    snapshot = TargetSnapshotRecord(target=target, version=1, facts=make_snapshot().to_dict())
    record = Wave(number=wave, name="SQL", selection={})
    session.add_all([target, snapshot, record])
    session.flush()
    plan = Plan(wave, "SQL", "pve-lab", 1, PlanSettings(), False, tuple(planned), ())
    session.add(PlanRecord(wave_id=record.id, version=1, target_id=target.id, snapshot_id=snapshot.id,
                           digest=plan_digest(plan), document=plan.to_dict()))
    for name, (vmid, node, volid) in MIGRATED.items():
        migration = VmMigration(wave=wave, vm_id=ids[name], vm_name=name, status=VmStatus.DONE,
                                state={"target": {"node": node, "vmid": vmid}})
        session.add(migration)
        session.flush()
        config = with_marker({"scsi0": volid, "name": name}, Ownership(f"key-{name}", vmid, migration.id))
        sim.simulator.add_vm(vmid, name, node=node, status="running", config=config)
    session.add(VmMigration(wave=wave, vm_id=ids[NOT_MIGRATED], vm_name=NOT_MIGRATED, status=VmStatus.FAILED,
                            state={}))
    session.commit()
    _foreign(sim.simulator)
    return Bed({name: vmid for name, (vmid, _, _) in MIGRATED.items()})


def _foreign(pve) -> None:
    """The customer's VM 900: an HA resource of their own and the daily backup job that holds it."""
    pve.add_vm(FOREIGN_VMID, "erp-legacy", node="pve1", status="running", config={"scsi0": "ceph-vm:vm-900-disk-0"})
    pve.ha_resources[f"vm:{FOREIGN_VMID}"] = {"state": "started", "max_restart": 3, "comment": "customer's"}
    pve.backup_jobs["daily"] = {"type": "vzdump", "enabled": 1, "schedule": "21:00", "storage": "local",
                                "mode": "snapshot", "vmid": str(FOREIGN_VMID)}
