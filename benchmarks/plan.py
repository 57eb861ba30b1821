"""Time planning 10,000 VMs onto 50 Proxmox nodes and print a Markdown table.

Run: .venv/bin/python benchmarks/plan.py [VM_COUNT] [NODE_COUNT]
The issue's budget is 10 s for 10,000 VMs on 50 nodes (docs/benchmarks.md records the figures). Timed like
`migrate plan` does it, without the database: readiness + mapping of each VM of the wave against the target's
facts (`build_context` + `assess_vm`), the placement needs (`build_candidate`), then the pure `place_wave`;
and, for the executor, `plan_is_stale` against the same snapshot.
"""

from __future__ import annotations

import random
from collections import Counter
import sys
import time

from migrate.inventory.model import Cluster, ClusterRule, Disk, Inventory, IpAddress, Nic, Vm
from migrate.mapping.files import load_mappings
from migrate.mapping.model import NetworkTarget, StorageTarget
from migrate.planning.candidates import build_candidate
from migrate.planning.model import PlanSettings
from migrate.planning.place import place_wave
from migrate.planning.stale import plan_is_stale
from migrate.planning.store import plan_digest
from migrate.readiness.assess import assess_vm
from migrate.readiness.context import build_context
from migrate.target.model import BridgeFacts, GuestFacts, NodeFacts, StorageFacts, TargetSnapshot

GIB = 1024**3
TIB = 1024 * GIB
NETWORKS = [f"pg-{i}" for i in range(40)]
DATASTORES = [f"ds-{i}" for i in range(20)]


def make_vm(index: int, rng: random.Random) -> Vm:
    disks = [
        Disk(key=2000 + d, label=f"Hard disk {d + 1}", capacity_bytes=(size := rng.choice([20, 40, 60, 100]) * GIB),
             committed_bytes=int(size * rng.uniform(0.1, 0.9)), controller_kind="scsi", bus_number=0, unit_number=d,
             datastore=rng.choice(DATASTORES), file_path=f"[ds] vm{index}/disk{d}.vmdk", disk_mode="persistent",
             sharing="sharingNone", backing="flat")
        for d in range(rng.randint(1, 4))
    ]
    nics = [
        Nic(key=4000 + n, label=f"Network adapter {n + 1}", adapter_type="vmxnet3",
            mac=f"00:50:56:{index >> 8 & 255:02x}:{index & 255:02x}:{n:02x}", address_type="assigned",
            network=rng.choice(NETWORKS), ip_addresses=[IpAddress(f"10.{n}.{index >> 8 & 255}.{index & 255}", 24, "manual")])
        for n in range(rng.randint(1, 3))
    ]
    return Vm(
        name=f"vm-{index:05d}", moref=f"vm-{index}", folder=f"/DC1/vm/f{index % 30}", datacenter="DC1",
        cluster=f"CL{index % 4}", power_state="poweredOn", guest_id=rng.choice(["rhel9_64Guest", "windows2019srv_64Guest"]),
        tools_status="toolsOk", tools_running="guestToolsRunning", firmware=rng.choice(["bios", "efi"]),
        num_cpu=rng.choice([1, 2, 4, 8]), cores_per_socket=1, memory_mb=rng.choice([2048, 4096, 8192, 16384]),
        disks=disks, nics=nics,
    )


def build(count: int, nodes: int) -> tuple[Inventory, TargetSnapshot]:
    rng = random.Random(42)
    vms = [make_vm(i, rng) for i in range(count)]
    rules = [ClusterRule(f"apart-{i}", "anti-affinity", True, True, [f"vm-{i * 10:05d}", f"vm-{i * 10 + 1:05d}"])
             for i in range(count // 10)]
    inventory = Inventory("bench.example.com", vms=vms, clusters=[Cluster(f"CL{i}", ha_enabled=i == 0, rules=rules if i == 0 else [])
                                                                   for i in range(4)])
    names = [f"pve{i:02d}" for i in range(1, nodes + 1)]
    snapshot = TargetSnapshot(
        target="bench", quorate=True, node_count=nodes,
        nodes=tuple(NodeFacts(n, True, "AMD EPYC 9354", 2, 128, 2 * TIB, 64 * GIB, 0.1) for n in names),
        storages=tuple(s for n in names for s in (
            StorageFacts(n, "local-lvm", "lvmthin", False, ("images", "rootdir"), 40 * TIB, 0, 40 * TIB),
            StorageFacts(n, "ceph-vm", "rbd", True, ("images",), 1024 * TIB, 100 * TIB, 924 * TIB))),
        bridges=tuple(BridgeFacts(n, b, True) for n in names for b in ("vmbr0", "vmbr1")),
        guests=tuple(GuestFacts(1000 + i, f"existing-{i}", names[i % nodes]) for i in range(500)),
    )
    return inventory, snapshot


def main(count: int = 10_000, nodes: int = 50) -> None:
    started = time.perf_counter()
    inventory, snapshot = build(count, nodes)
    base = load_mappings()
    mappings = type(base)(
        guest_os=base.guest_os, hardware=base.hardware, source="bench.example.com",
        networks={name: NetworkTarget("vmbr1" if i % 2 else "vmbr0", 100 + i) for i, name in enumerate(NETWORKS)},
        storage={name: StorageTarget("ceph-vm" if i % 2 else "local-lvm") for i, name in enumerate(DATASTORES[:-2])},
    )
    built, cpu_started = time.perf_counter(), time.process_time()
    context = build_context(inventory, mappings, snapshot.mapping_facts())
    apart = {name: (rule.name,) for rule in inventory.clusters[0].rules for name in rule.vms}
    candidates = []
    for vm in inventory.vms:
        assessment = assess_vm(vm, context)
        candidates.append(build_candidate(vm, assessment.config, str(assessment.verdict), mappings,
                                          ha_wanted=vm.cluster == "CL0", anti_affinity=apart.get(vm.name, ())))
    judged = time.perf_counter()
    plan = place_wave(candidates, snapshot, PlanSettings(), wave=1, snapshot_version=1, force=True)
    placed = time.perf_counter()
    digest = plan_digest(plan)
    serialised, cpu_used = time.perf_counter(), time.process_time() - cpu_started
    stale = plan_is_stale(plan, snapshot)
    checked = time.perf_counter()
    print("| step | VMs | nodes | seconds |")
    print("|---|---:|---:|---:|")
    print(f"| build the estate and target in memory (not counted) | {count} | {nodes} | {built - started:.2f} |")
    print(f"| readiness + mapping + placement needs per VM | {count} | {nodes} | {judged - built:.2f} |")
    print(f"| placement (`place_wave`) | {count} | {nodes} | {placed - judged:.2f} |")
    print(f"| plan document + digest | {count} | {nodes} | {serialised - placed:.2f} |")
    print(f"| planning in total | {count} | {nodes} | {serialised - built:.2f} |")
    print(f"| planning in total, CPU time of this process | {count} | {nodes} | {cpu_used:.2f} |")
    print(f"| `plan_is_stale` (executor pre-check) | {count} | {nodes} | {checked - serialised:.2f} |")
    print()
    used = sorted({vm.node for vm in plan.vms})
    print(f"{len(plan.vms)} placed on {len(used)} nodes, {len(plan.excluded)} left out, {len(stale)} stale reasons, "
          f"digest {digest[:12]}")
    reasons = Counter(e.reason.split(":")[0] for e in plan.excluded)
    if reasons:
        print("left out: " + ", ".join(f"{reason}: {n}" for reason, n in reasons.most_common()))


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
