"""`migrate plan`: place a wave on the target and store the plan."""

from __future__ import annotations

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.errors import BlockersFound, UsageError
from migrate.planning.model import GIB, Plan, PlannedVm, PlanSettings
from migrate.planning.schedule import plan_seconds
from migrate.planning.store import plan_wave
from migrate.planning.throughput import Throughput
from migrate.words import counted

HEADERS = ("vm", "proxmox_name", "vmid", "node", "memory_mib", "storages", "networks", "transfer_gib",
           "bytes_estimated", "copy", "shutdown", "create", "boot", "downtime")


def _vmid_range(value: str) -> tuple[int, int]:
    low, sep, high = value.partition("-")
    if not (sep and low.isdigit() and high.isdigit()) or not 100 <= int(low) <= int(high) <= 999_999_999:
        raise UsageError(f"--vmid-range {value!r}: give it as FIRST-LAST within 100-999999999, e.g. 1000-1999")
    return int(low), int(high)


@click.command()
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave to plan.")
@click.option("--target", metavar="NAME", help="The target, when there are several.")
@click.option("--force", is_flag=True, help="Also plan VMs whose readiness is Not ready.")
@click.option("--vmid-range", default="1000-999999", show_default=True, metavar="FIRST-LAST",
              help="VMIDs to give; ids that exist on the target are skipped.")
@click.option("--throughput", type=click.FloatRange(1), metavar="MIB/S",
              help="Copy speed per VM for this plan's estimates [default: the median measured on the target, else "
              "the target's setting, else 100].")
@click.option("--create-seconds", type=click.IntRange(0), default=60, show_default=True, metavar="SECONDS",
              help="Downtime after the copy to attach the disks and configure the VM.")
@click.option("--boot-seconds", type=click.IntRange(0), default=120, show_default=True, metavar="SECONDS",
              help="Downtime of the first boot, until the guest agent answers.")
@click.option("--parallel", type=click.IntRange(1), default=4, show_default=True,
              help="VMs at once, as `migrate run --parallel`, for the wave's total time.")
@click.option("--per-node", type=click.IntRange(1), default=2, show_default=True,
              help="VMs at once on one node or source datastore, as `migrate run --per-node`.")
@click.option("--mappings", "mappings_dir", default="mappings", show_default=True, type=click.Path(file_okay=False),
              help="Directory of the sources' mapping files (<source>.yaml).")
@click.option("--replan", is_flag=True, help="Store a new plan even though its inputs did not change (to apply new "
              "settings such as --throughput or --vmid-range).")
@render.format_option
@pass_app
def plan(app: AppContext, number: int, target: str | None, force: bool, vmid_range: str, throughput: float | None,
         create_seconds: int, boot_seconds: int, parallel: int, per_node: int, mappings_dir: str, replan: bool,
         output_format: str) -> None:
    """Show the wave's plan: the latest one while its inputs are unchanged, else a new one placed on the target's
    nodes and storages and stored; exit 3 if a VM was left out.

    \b
    Example:
      migrate plan --wave 1
      migrate plan --wave 1 --replan --vmid-range 2000-2999 --throughput 200
    """
    low, high = _vmid_range(vmid_range)
    settings = PlanSettings(vmid_min=low, vmid_max=high, create_s=create_seconds, boot_s=boot_seconds,
                            parallel=parallel, per_node=per_node)
    with app.session() as session:
        outcome = plan_wave(session, number, target=target, force=force, settings=settings, mappings_dir=mappings_dir,
                            throughput=throughput, replan=replan)
        session.commit()
        record = outcome.record
        result, version, digest = Plan.from_dict(record.document), record.version, record.digest
    _render(app, result, version, digest, output_format)
    _say_why(app, outcome, number, version)
    if result.excluded:
        raise BlockersFound(f"{counted(len(result.excluded), 'VM')} of wave {number} {'was' if len(result.excluded) == 1 else 'were'} left out of plan {version} (listed above): "
                            "fix what is listed, or plan with --force for the Not ready ones")


def _render(app: AppContext, result: Plan, version: int, digest: str, output_format: str) -> None:
    total = plan_seconds(result)
    if output_format == "json":
        render.json_document(app.stdout, {"version": version, "digest": digest, **result.to_dict(),
                                          "wave_seconds": total})
    else:
        render.rows(app.stdout, output_format, HEADERS, [_row(vm) for vm in result.vms])
    for excluded in result.excluded:
        app.say(f"left out: {excluded.vm_name}: {excluded.reason}")
    settings = result.settings
    speed = Throughput(settings.throughput_mib_s, settings.throughput_source, settings.measured_copies)
    estimated = sum(1 for vm in result.vms if vm.transfer_estimated)
    app.say(f"wave {result.wave} plan {version}: {counted(len(result.vms), 'VM')} placed, {len(result.excluded)} left out, "
            f"{result.transfer_bytes / GIB:.1f} GiB to copy"
            + (f" ({counted(estimated, 'VM')} estimated from provisioned size: used size unknown)" if estimated else "")
            + f", at {speed.describe()}; about {_duration(total)} for the wave with {counted(settings.parallel, 'VM')} at once "
            f"({settings.per_node} per node or datastore)")


def _row(vm: PlannedVm) -> tuple:
    storages = ",".join(sorted({d.storage for d in vm.disks}))
    networks = ",".join(f"{n.bridge}" + (f".{n.vlan}" if n.vlan else "") for n in vm.nics)
    return (vm.vm_name, vm.proxmox_name, vm.vmid, vm.node, vm.memory_mib, storages, networks,
            round(vm.transfer_bytes / GIB, 1), "yes" if vm.transfer_estimated else "no", _duration(vm.copy_seconds),
            _duration(vm.shutdown_seconds), _duration(vm.create_seconds), _duration(vm.boot_seconds),
            _duration(vm.downtime_seconds))


def _duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def _say_why(app: AppContext, outcome, number: int, version: int) -> None:
    """Whether this is a new plan (and which inputs changed) or the latest one, still true to its inputs."""
    if not outcome.created:
        app.say(f"plan {version} of wave {number} is unchanged: its wave, inventory, mapping files, target and other "
                "waves are as they were" + ("; the settings given differ from its own: add --replan to apply them"
                                            if outcome.settings_differ else ""))
    elif outcome.changed and version > 1:
        app.say(f"stored plan {version}: changed since plan {version - 1}: " + ", ".join(c.replace("_", " ")
                                                                                      for c in outcome.changed))
    elif version > 1:
        app.say(f"stored plan {version} (--replan)")
