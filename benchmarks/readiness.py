"""Time mapping + readiness for 10,000 varied VMs in memory and print a Markdown table.

Run: .venv/bin/python benchmarks/readiness.py [VM_COUNT]
The issue's budget is 10 s for 10,000 VMs (docs/benchmarks.md records the figures).
"""

from __future__ import annotations

import random
import sys
import time

from migrate.inventory.model import Cluster, ClusterRule, Controller, Datastore, Disk, Host, Inventory, IpAddress, Nic, Snapshot, Vm
from migrate.mapping.files import load_mappings
from migrate.mapping.model import NetworkTarget, StorageTarget, TargetFacts
from migrate.readiness import assess
from migrate.reports import summarize

GIB = 1024**3
GUESTS = ["rhel8_64Guest", "windows2019srv_64Guest", "ubuntu64Guest", "windows7Server64Guest", "windows2022srvNext_64Guest",
          "centos7_64Guest", "debian12_64Guest", "otherGuest64", "sles15_64Guest", "rhel10_64Guest", None]
NETWORKS = [f"pg-{i}" for i in range(40)]
DATASTORES = [f"ds-{i}" for i in range(20)]


def make_vm(index: int, rng: random.Random) -> Vm:
    """One VM with a random but realistic mix of the properties rules look at."""
    disks = [
        Disk(key=2000 + d, label=f"Hard disk {d + 1}", capacity_bytes=rng.choice([20, 40, 100, 500]) * GIB, controller_kind="scsi",
             bus_number=0, unit_number=d, datastore=rng.choice(DATASTORES), file_path=f"[ds] vm{index}/disk{d}.vmdk",
             disk_mode=rng.choice(["persistent"] * 20 + ["independent_persistent"]), sharing=rng.choice(["sharingNone"] * 50 + ["sharingMultiWriter"]),
             backing=rng.choice(["flat"] * 30 + ["rdm"]), rdm_mode=rng.choice(["physicalMode", "virtualMode"]))
        for d in range(rng.randint(1, 4))
    ]
    nics = [
        Nic(key=4000 + n, label=f"Network adapter {n + 1}", adapter_type="vmxnet3", mac=f"00:50:56:{index >> 8 & 255:02x}:{index & 255:02x}:{n:02x}",
            address_type="assigned", network=rng.choice(NETWORKS), ip_addresses=[IpAddress(f"10.{n}.{index >> 8 & 255}.{index & 255}", 24, rng.choice(["dhcp", "manual"]))])
        for n in range(rng.randint(1, 3))
    ]
    return Vm(
        name=rng.choice([f"vm-{index:05d}", f"App Server_{index % 5000}", f"web{index}.example.com"]), moref=f"vm-{index}",
        bios_uuid=f"4201{index:04x}-0000-0000-0000-{index:012x}"[:36], folder=f"/DC1/vm/f{index % 30}", datacenter="DC1",
        cluster=f"CL{index % 4}", host=f"esx{index % 16}", power_state=rng.choice(["poweredOn", "poweredOff", "suspended"]),
        connection_state="connected", guest_id=rng.choice(GUESTS), guest_full_name=None, tools_status="toolsOk",
        tools_running=rng.choice(["guestToolsRunning", "guestToolsNotRunning"]), firmware=rng.choice(["bios", "efi", None]),
        secure_boot=rng.random() < 0.3, vtpm=rng.random() < 0.1, num_cpu=rng.choice([1, 2, 4, 8]), cores_per_socket=rng.choice([1, 2]),
        memory_mb=rng.choice([1024, 4096, 16384]), memory_reservation_mb=rng.choice([0, 0, 0, 4096]), cbt_enabled=rng.random() < 0.5,
        snapshots=[Snapshot("s1")] if rng.random() < 0.1 else [], disks=disks, nics=nics,
        controllers=[Controller(1000, "scsi", rng.choice(["pvscsi", "lsilogic"]), 0, "noSharing")],
    )


def build_inventory(count: int) -> Inventory:
    rng = random.Random(42)
    return Inventory(
        "bench.example.com", vms=[make_vm(i, rng) for i in range(count)],
        hosts=[Host(f"esx{i}", maintenance=i == 3) for i in range(16)],
        clusters=[Cluster(f"CL{i}", ha_enabled=True, drs_enabled=True, rules=[ClusterRule("r", "vm-host", True, True, ["vm-00001"])]) for i in range(4)],
        datastores=[Datastore(name, type="vsan" if name == "ds-0" else "VMFS") for name in DATASTORES],
    )


def main(count: int = 10_000) -> None:
    started = time.perf_counter()
    inventory = build_inventory(count)
    built = time.perf_counter()
    base = load_mappings()
    mappings = type(base)(
        guest_os=base.guest_os, hardware=base.hardware, source="bench.example.com",
        networks={name: NetworkTarget("vmbr0", 100 + i) for i, name in enumerate(NETWORKS[:-2])},
        storage={name: StorageTarget("tgt") for name in DATASTORES[:-1]},
    )
    assessments = assess(inventory, mappings, TargetFacts(node_cpu_models=("EPYC 9354", "EPYC 7543")))
    judged = time.perf_counter()
    summary = summarize(assessments)
    findings = sum(len(a.findings) for a in assessments)
    print("| step | VMs | seconds |")
    print("|---|---:|---:|")
    print(f"| build the inventory in memory (not counted) | {count} | {built - started:.2f} |")
    print(f"| mapping + readiness (`assess`) | {count} | {judged - built:.2f} |")
    print()
    print(f"{findings} findings; verdicts: " + ", ".join(f"{v}: {n}" for v, n in summary.verdicts.items()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
