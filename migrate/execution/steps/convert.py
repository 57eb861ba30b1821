"""Convert the guest on the node before its first start: virt-v2v-in-place on the copied volumes.

The plan says per VM whether it is converted and how (`guest.conversion`, from the mapper). On the node, in
`/var/tmp/migrate-convert-<vmid>`: keep each volume as it was (`conversion.backup_argv`), write the libvirt XML
describing the volumes, pin each Linux NIC's VMware name to its MAC (a systemd .link file, which virt-v2v's
initramfs rebuild then takes in), run virt-v2v-in-place under the node's own `timeout`. A conversion that fails
or times out puts every volume back from its copy, leaves the VM unstarted and names the log; a killed one is
found by its `converting` mark on the next attempt, which puts the volumes back before converting again.
"""

from __future__ import annotations

import time

from migrate.clients.proxmox import vm as pvevm
from migrate.errors import ConversionBusyError, ConversionError
from migrate.execution import conversion as cv
from migrate.execution.itinerary import Stage, Step, StepContext, Undo, UndoContext
from migrate.execution.steps.common import copied_disks, target

BUSY = 75  # flock's exit code when another conversion of this VM holds the lock


def planned(ctx: StepContext) -> dict:
    """The conversion the plan records for this VM ({} for a plan made before conversions existed)."""
    return dict((ctx.vm.guest or {}).get("conversion") or {})


def virtio_win(ctx: StepContext) -> str | None:
    """The virtio-win ISO on the node: this run's `--virtio-win`, else the one the target named when planned."""
    return ctx.services.options.virtio_win or planned(ctx).get("virtio_win")


def wanted(ctx: StepContext) -> bool:
    options = ctx.services.options
    plan = planned(ctx)
    if not (options.convert and plan.get("convert")):
        return False
    # Windows needs the VirtIO drivers from a virtio-win ISO on the node; without one it keeps its safe config.
    return plan.get("guest") != "windows" or bool(virtio_win(ctx))


def applies(ctx: StepContext) -> bool:
    """Every guest the plan converts: converted when this run converts, else only checked for a conversion an
    earlier, killed attempt began (found on the node, since a killed step journals nothing), whose half-converted
    volumes are put back before the first start."""
    return bool(planned(ctx).get("convert"))


def why_not(ctx: StepContext) -> str:
    """Why a guest the plan converts is not converted in this run (for the journal)."""
    if not ctx.services.options.convert:
        return "conversion off for this run (--no-convert)"
    return ("Windows needs the virtio-win ISO on the node (`migrate target set TARGET --virtio-win PATH`, then plan "
            "again, or `migrate run --virtio-win PATH`): kept its safe config")


def run(ctx: StepContext) -> dict:
    if not wanted(ctx):
        return {**_put_back(ctx), "reason": why_not(ctx)}
    node, vmid = target(ctx)
    plan, options = planned(ctx), ctx.services.options
    workdir = cv.workdir_of(vmid)
    volumes = [_volume(ctx, node, disk) for disk in copied_disks(ctx)]
    record = {"node": node, "workdir": workdir, "log": f"{workdir}/virt-v2v.log",
              "backups": [cv.backup_path(v, workdir) for v in volumes if v.format != "qcow2"]}
    ctx.state.conversion = record  # journaled when the step ends, failed or done: the rollback finds the copies by it
    started = time.monotonic()
    with ctx.services.shell(node) as shell:
        _check(shell, ["mkdir", "-p", workdir], "creating the work directory")
        _run_logged(shell, ["true"], workdir, "/dev/null", 60, "checking for a conversion still running")
        _check(shell, ["sh", "-c", ': > "$1"', "sh", record["log"]], "starting the log")
        # Whose work directory this is and which copies it will hold, before any is made: a rollback after a
        # kill (which journals nothing of this step) finds them by it.
        _check(shell, ["sh", "-c", 'printf "%s\\n" "$2" > "$1"', "sh", f"{workdir}/owner", _mark(ctx)],
               "recording the work directory's owner")
        _check(shell, ["sh", "-c", 'cat > "$1"', "sh", f"{workdir}/backups"], "recording the copies",
               stdin="".join(f"{path}\n" for path in record["backups"]).encode())
        if _begun(ctx, shell, workdir):
            # An earlier attempt died mid-conversion: its volumes are half converted; start from the copies.
            _restore(shell, volumes, workdir)
        for volume in volumes:
            _check(shell, cv.backup_argv(volume, workdir), f"keeping a copy of {volume.path} before converting")
        xml = cv.libvirt_xml(str(ctx.vm.config.get("name") or ctx.vm_name), ctx.vm.memory_mib, ctx.vm.vcpus,
                             ctx.vm.config.get("bios") == "ovmf", volumes, [nic.mac for nic in ctx.vm.nics if nic.mac])
        xml_path = f"{workdir}/guest.xml"
        _check(shell, ["sh", "-c", 'cat > "$1"', "sh", xml_path], "writing the libvirt XML", stdin=xml.encode())
        _check(shell, ["sh", "-c", 'printf "%s\\n" "$2" > "$1"', "sh", f"{workdir}/converting", _mark(ctx)],
               "marking the conversion started")
        commands: list[str] = []
        written: list[str] = []
        tool_seconds: list[float] = []  # virt-customize's and virt-v2v's own: the rest is the toolkit's
        _convert(shell, plan, volumes, xml_path, record["log"], options, virtio_win(ctx), commands, written,
                 tool_seconds)
        _check(shell, ["rm", "-f", f"{workdir}/converting"], "marking the conversion finished")
        for volume in volumes:
            shell.run(cv.discard_backup_argv(volume, workdir))
    record.update(converted=True, written=written)
    return {"guest": plan.get("guest"), "log": record["log"], "seconds": round(time.monotonic() - started, 1),
            "tool_seconds": [round(t, 1) for t in tool_seconds], "written": written, "commands": commands, "xml": xml}


def require_tools(ctx: StepContext, shell) -> None:
    """Checked by preflight, while the source still runs: a node that cannot convert costs no downtime."""
    if not wanted(ctx):
        return
    result = shell.run(cv.tools_argv())
    if result.rc != 0:
        raise ConversionError(f"node {shell.address.label} cannot convert guests: {result.stderr.strip()} missing; "
                              "install virt-v2v there (apt install virt-v2v), or run with --no-convert")
    iso = virtio_win(ctx) if planned(ctx).get("guest") == "windows" else None
    if iso and shell.run(["test", "-r", iso]).rc != 0:
        raise ConversionError(f"node {shell.address.label} has no virtio-win ISO at {iso}: copy it there (every "
                              "node needs it), or run with --no-convert")


def _put_back(ctx: StepContext) -> dict:
    """No conversion this time (`--no-convert`, `convert: false`), after one that began: the volumes as copied."""
    node, vmid = target(ctx)
    workdir = cv.workdir_of(vmid)
    volumes = [_volume(ctx, node, disk) for disk in copied_disks(ctx)]
    with ctx.services.shell(node) as shell:
        if shell.run(["test", "-d", workdir]).rc != 0:
            return {"converted": False}
        _run_logged(shell, ["true"], workdir, "/dev/null", 60, "checking for a conversion still running")
        restored = _begun(ctx, shell, workdir)
        if restored:
            _restore(shell, volumes, workdir)
            _check(shell, ["rm", "-f", f"{workdir}/converting"], "marking the volumes put back")
        for volume in volumes:
            shell.run(cv.discard_backup_argv(volume, workdir))
    ctx.state.conversion = {"node": node, "workdir": workdir, "log": f"{workdir}/virt-v2v.log", "converted": False,
                            "backups": [cv.backup_path(v, workdir) for v in volumes if v.format != "qcow2"],
                            "put_back": restored}
    return {"converted": False, "put_back": restored}


def _mark(ctx: StepContext) -> str:
    return mark_of(ctx.vm_migration_id, ctx.vm.vm_key)


def mark_of(migration: int, vm_key: str) -> str:
    """What the `owner` and `converting` marks hold: the migration's id and source, so that a mark a VM with the
    same VMID left (destroyed outside the toolkit) is never taken for this one's."""
    return f"migration={migration} source={vm_key}"


def _begun(ctx: StepContext, shell, workdir: str) -> bool:
    """True when an earlier attempt of this migration began converting and never finished."""
    result = shell.run(["cat", f"{workdir}/converting"])
    return result.rc == 0 and result.stdout.strip() == _mark(ctx)


def _volume(ctx: StepContext, node: str, disk) -> cv.Volume:
    path = pvevm.volume_path(ctx.services.pve, node, ctx.state.volumes[disk.slot])
    return cv.Volume(disk.slot, path, disk.format or "raw", block=path.startswith("/dev/"))


def _convert(shell, plan: dict, volumes: list[cv.Volume], xml_path: str, log: str, options, iso: str | None,
             commands: list[str], written: list[str], tool_seconds: list[float]) -> None:
    """Pin the NIC names (Linux), then run virt-v2v-in-place; on failure put the volumes back. The command lines
    and the files written into the guest are added to `commands` and `written` for the journal."""
    workdir = xml_path.rsplit("/", 1)[0]
    nics = [cv.NicName(n["mac"], n["name"]) for n in plan.get("interfaces") or []]
    static_ips = [cv.StaticIp(i["mac"], i["address"], int(i["prefix"]), i.get("gateway") or "", tuple(i.get("dns") or ()))
                  for i in plan.get("static_ips") or []] if plan.get("guest") == "windows" else []
    try:
        if plan.get("guest") == "linux" and nics:
            # Written before virt-v2v, whose own initramfs rebuild then takes the .link files in.
            pin = cv.pin_names_argv(volumes, nics, tcg=options.convert_tcg, rebuild=False)
            commands.append(cv.describe(pin))
            _run_logged(shell, pin, workdir, log, options.convert_timeout, "pinning the NIC names (virt-customize)",
                        tool_seconds)
            written += [cv.link_file(nic)[0] for nic in nics]
        argv = cv.v2v_argv(xml_path, static_ips=static_ips,
                           virtio_win=iso if plan.get("guest") == "windows" else None,
                           tcg=options.convert_tcg)
        commands.append(cv.describe(argv))
        _run_logged(shell, argv, workdir, log, options.convert_timeout, "virt-v2v-in-place", tool_seconds)
    except ConversionError as exc:
        if isinstance(exc, ConversionBusyError):
            raise
        _restore(shell, volumes, workdir)
        shell.run(["rm", "-f", f"{workdir}/converting"])
        for volume in volumes:  # the volumes are as copied again: their copies would only take room
            shell.run(cv.discard_backup_argv(volume, workdir))
        raise ConversionError(f"{exc}; the volumes were put back as copied and the VM was not started: read the log, "
                              "fix the cause and run again, or migrate it unconverted with `convert: false` for this "
                              "VM in the mapping file (or `migrate run --no-convert`)") from exc


def _run_logged(shell, argv: list[str], workdir: str, log: str, timeout: float, what: str,
                tool_seconds: list[float] | None = None) -> None:
    """Run `argv` bounded by `timeout` and logged, under the VM's lock on the node: never beside a conversion of
    the same VM that an earlier, killed attempt left running."""
    lock = f"{workdir}/lock"
    wrapped = ["flock", "-n", "-E", str(BUSY), lock, *cv.logged(cv.bounded(argv, timeout), log)]
    # The node's `timeout` ends the command first; the SSH wait allows for the 30 s until it kills.
    started = time.monotonic()
    result = shell.run(wrapped, timeout=timeout + 60)
    if tool_seconds is not None:
        tool_seconds.append(time.monotonic() - started)
    if result.rc == BUSY:
        raise ConversionBusyError(f"another conversion of this VM still runs on node {shell.address.label} "
                                  f"(lock {lock}); it ends within its time limit")
    if result.rc == 124 or result.rc == 137:
        raise ConversionError(f"{what} on node {shell.address.label} did not finish within {timeout:g} s "
                              f"and was stopped; log: {log}")
    if result.rc != 0:
        raise ConversionError(f"{what} on node {shell.address.label} failed (exit code {result.rc}); log: {log}")


def _restore(shell, volumes: list[cv.Volume], workdir: str) -> None:
    for volume in volumes:
        result = shell.run(cv.restore_argv(volume, workdir))
        if result.rc != 0:
            raise ConversionError(f"cannot put volume {volume.path} back from its copy on node "
                                  f"{shell.address.label}: {result.stderr.strip()}; the copy is "
                                  f"{cv.backup_path(volume, workdir)}")


def _check(shell, argv: list[str], what: str, stdin: bytes | None = None) -> None:
    result = shell.run(argv, stdin=stdin)
    if result.rc != 0:
        raise ConversionError(f"{what} on node {shell.address.label} failed (exit code {result.rc}): "
                              f"{result.stderr.strip()}")


def undo(ctx: UndoContext) -> None:
    """Remove what the conversion left on the node beside the target VM: the volumes' copies and the work
    directory (the volumes themselves, and a qcow2 volume's snapshot, go with the target VM). An attempt killed
    mid-step journaled nothing: its work directory, when its `owner` file names this migration, lists them."""
    record = ctx.state.conversion or _unjournaled(ctx)
    if not record:
        return
    with ctx.services.shell(record["node"]) as shell:
        paths = [p for backup in record.get("backups", []) for p in (backup, backup + ".part")]
        result = shell.run(["rm", "-rf", *paths, record["workdir"]])
    if result.rc != 0:
        ctx.left.append(f"the conversion's files on node {record['node']} ({record['workdir']}, "
                        f"{', '.join(record.get('backups', []))}): {result.stderr.strip()}")
        return
    ctx.undone.append(f"removed the conversion's files on node {record['node']}")


def _unjournaled(ctx: UndoContext) -> dict | None:
    """The work directory and copies an attempt killed mid-conversion left, when the node shows they are ours."""
    if ctx.ownership is None or ctx.state.target is None:
        return None
    node, workdir = ctx.state.target.node, cv.workdir_of(ctx.state.target.vmid)
    mark = mark_of(ctx.ownership.migration, ctx.ownership.vm_key)
    with ctx.services.shell(node) as shell:
        owner = shell.run(["cat", f"{workdir}/owner"])
        if owner.rc != 0 or owner.stdout.strip() != mark:
            return None  # nothing begun, or another migration's (a VM that had the same VMID): left alone
        listed = shell.run(["cat", f"{workdir}/backups"])
    backups = [line for line in listed.stdout.splitlines() if line.strip()] if listed.rc == 0 else []
    return {"node": node, "workdir": workdir, "backups": backups}


STEP = Step("convert", run, applies=applies, undo=Undo(undo, Stage.LEFT_ON_TARGET))
