"""The runbook: content checked against a reviewed golden file, escaping, strictness, and the command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrate.errors import UsageError
from migrate.inventory.model import IpAddress, Nic
from migrate.planning.candidates import cutover_checks
from migrate.planning.model import PlanSettings
from migrate.planning.place import place_wave
from migrate.readiness.rules import ALL_RULES
from migrate.runbook.render import markdown_cell, render_runbook
from tests.factories import make_snapshot, make_vm
from tests.planning.helpers import candidate

GOLDEN = Path(__file__).parent / "golden" / "wave-1.md"


def _plan():
    windows = make_vm("WIN-APP|01", guest_id="windows2019srv_64Guest", guest_full_name="Microsoft Windows Server 2019\n(64-bit)",
                      firmware="efi", custom_attributes={"app": "erp"},
                      nics=[Nic(4000, "Network adapter 1", "vmxnet3", "00:50:56:00:00:11", "assigned", "VM Network",
                                ip_addresses=[IpAddress("10.0.20.15", 24, "manual"), IpAddress("fe80::1", 64, "manual")])])
    linux = make_vm("db-01", nics=[Nic(4000, "eth0", "vmxnet3", "00:50:56:00:00:12", "assigned", "VM Network",
                                       ip_addresses=[IpAddress("10.0.30.7", 24, "dhcp")])])
    linux.disks[0].committed_bytes = 12 * 1024**3  # known: the Windows VM's used size is not, it is estimated
    blocked = make_vm("old-01", nics=[Nic(4000, "eth0", "vmxnet3", "00:50:56:00:00:13", "assigned", "VM Network")])
    checks = cutover_checks([_rule("TLS-01").finding("VMware Tools is not running", {}), _rule("DRV-03").finding("legacy", {})])
    candidates = [candidate(windows, group="erp"), candidate(linux, checks=checks),
                  candidate(blocked, verdict="Not ready", blockers=("DSK-06",))]
    return place_wave(candidates, make_snapshot(), PlanSettings(vmid_min=2000), wave=1, wave_name="ERP", snapshot_version=3)


def _rule(rule_id):
    return next(loaded.rule for loaded in ALL_RULES if loaded.rule.id == rule_id)


def _render():
    return render_runbook(_plan(), 2, "0123456789abcdef" * 4)


def test_runbook_matches_the_reviewed_golden_file():
    text = _render()
    if os.environ.get("MIGRATE_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_runbook_has_every_section_in_order():
    text = _render()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## 1. Pre-checks (the day before and one hour before)", "## 2. Communication", "## 3. Timeline",
                        "## 4. Cutover, per VM", "## 5. Validation (after the last VM)", "## 6. Left out of this wave",
                        "## 7. Rollback", "## 8. Sign-off"]


def test_cutover_steps_carry_static_ips_drivers_tools_and_agent_per_guest():
    text = _render()
    sections = {part.split(" ", 2)[1]: part for part in text.split("\n### ")[1:]}
    windows, linux = sections["WIN-APP|01"], sections["db-01"]
    assert "| Network adapter 1 | 00:50:56:00:00:11 | 10.0.20.15/24 | static: set it again on the new adapter" in windows
    assert "fe80::1" not in windows and "`qm guest cmd 2001 network-get-interfaces` on pve1 lists 10.0.20.15;" in windows
    assert "virtio-win-guest-tools.exe" in windows and "Uninstall" in windows and "QEMU-GA" in windows
    assert "qemu-guest-agent" in linux and "open-vm-tools" in linux and "virtio-win" not in linux
    assert "| eth0 | 00:50:56:00:00:12 | 10.0.30.7/24 | DHCP: the MAC is kept, so is the lease or reservation |" in linux
    assert "ens18" in linux and "dracut -f --add-drivers" in linux and "systemctl --failed" in linux
    assert "no address was reported" not in linux  # a known address is never called unknown


def test_inventory_text_cannot_break_a_table_row():
    text = _render()
    assert "| Guest | Microsoft Windows Server 2019<br>(64-bit) (win10, efi) |" in text
    assert "### 4.2. WIN-APP|01 → win-app-01 (VMID 2001 on pve1)" in text
    assert "| old-01 | readiness: Not ready (DSK-06); plan with --force to include it |" in text
    assert markdown_cell("a|b\\c\r\nd\x07") == "a\\|b\\\\c<br>d"


def test_a_template_with_an_undefined_name_fails_instead_of_printing_nothing(tmp_path):
    (tmp_path / "wave.md.j2").write_text("# {{ plan.wave }} {{ plan.no_such_field }}\n")
    with pytest.raises(UsageError, match="runbook template .* is broken"):
        render_runbook(_plan(), 1, "x" * 64, templates=tmp_path)


def store_plan(session) -> None:
    """Wave 1 ("ERP") planned onto target pve-prod, as `migrate plan` stores it, committed."""
    from migrate.db.plan_models import PlanRecord, Target, TargetSnapshotRecord, Wave
    from migrate.planning.store import plan_digest

    plan = _plan()
    target = Target(name="pve-prod", api_host="pve1", api_port=8006, token_id="migrate@pve!plan")
    snapshot = TargetSnapshotRecord(target=target, version=3, facts=make_snapshot().to_dict())
    wave = Wave(number=1, name="ERP", selection={})
    session.add_all([target, snapshot, wave])
    session.flush()
    session.add(PlanRecord(wave_id=wave.id, version=1, target_id=target.id, snapshot_id=snapshot.id,
                           digest=plan_digest(plan), document=plan.to_dict()))
    session.commit()


def test_runbook_command_writes_the_file(db_url, session, tmp_path):
    from tests.support.cli import run_cli

    store_plan(session)
    out = tmp_path / "wave-1.md"
    result = run_cli("runbook", "--wave", "1", "-o", str(out), db_url=db_url)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().startswith("# Runbook: wave 1 (ERP)\n") and "### 4.1. db-01 → db-01" in out.read_text()
    # The wave's stop policy (the default: no hard power off) is what each cutover step tells the operator.
    assert "a guest still up then is left running and its migration stops until you shut it down" in out.read_text()
    missing_dir = run_cli("runbook", "--wave", "1", "-o", str(tmp_path / "nope" / "w.md"), db_url=db_url)
    assert missing_dir.exit_code == 2 and "does not exist" in missing_dir.stderr
    assert run_cli("runbook", "--wave", "2", db_url=db_url).exit_code == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_shared_storage_is_listed_once_for_the_cluster():
    shared = make_snapshot(storage_type="rbd", shared=True)
    vms = [candidate(make_vm(f"app-{i}", nics=[Nic(4000, "eth0", "vmxnet3", f"00:50:56:00:01:{i:02x}", "assigned",
                                                    "VM Network")])) for i in range(3)]
    text = render_runbook(place_wave(vms, shared, PlanSettings(), wave=1, snapshot_version=1), 1, "f" * 64)
    assert "  - `data` (shared): 120.0 GiB\n" in text and "`data` on pve" not in text


def test_the_cutover_step_states_the_waves_stop_policy():
    from migrate.waves.policy import StopPolicy

    allowed = render_runbook(_plan(), 2, "0" * 64, policy=StopPolicy(shutdown_timeout=600, allow_power_off=True))
    assert allowed.count("shuts it down through VMware Tools (up to 10 min 00 s, then a hard power off)") == 2
    assert "left running" not in allowed


def _commands(markdown: str) -> list[list[str]]:
    """The `migrate ...` commands of the runbook's code spans, as the shell would split them."""
    import re
    import shlex

    spans = re.findall(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", markdown)
    texts = [text[1:-1] if text.startswith(" ") and text.endswith(" ") and text.strip() else text for _, text in spans]
    return [shlex.split(text) for text in texts if text.startswith("migrate ")]


def test_every_command_of_the_runbook_parses_and_names_its_vm_exactly_even_a_hostile_name():
    import click

    from migrate.cli.main import cli

    hostile = make_vm("db `01` $(rm -rf x); 'q'", nics=[Nic(4000, "eth0", "vmxnet3", "00:50:56:00:00:14", "assigned",
                                                              "VM Network")])
    plan = place_wave([candidate(hostile)], make_snapshot(), PlanSettings(vmid_min=2000), wave=1, snapshot_version=3)
    commands = _commands(render_runbook(plan, 1, "0" * 64))
    named = []
    for words in commands:
        with cli.make_context("migrate", list(words[1:]), resilient_parsing=False) as context:
            name, command, rest = cli.resolve_command(context, list(words[1:]))
            if isinstance(command, click.Group):
                name, command, rest = command.resolve_command(context, rest)
            parsed = command.make_context(name, rest, parent=context)
            named.append(parsed.params.get("only") or parsed.params.get("vm_name"))
    assert ("db `01` $(rm -rf x); 'q'",) in named  # run --vm, exactly the VM's name
    assert "db `01` $(rm -rf x); 'q'" in named  # rollback --vm


def _nic(mac, *addresses):
    return Nic(4000, "eth0", "vmxnet3", mac, "assigned", "VM Network", ip_addresses=list(addresses))


def test_the_timeline_gives_clock_times_from_the_window_start_and_a_go_no_go_after_the_first_vm():
    from datetime import datetime

    vms = [candidate(make_vm(f"app-{i}", nics=[_nic(f"00:50:56:00:02:0{i}")])) for i in range(2)]
    plan = place_wave(vms, make_snapshot(), PlanSettings(parallel=1), wave=1, snapshot_version=1)
    text = render_runbook(plan, 1, "0" * 64, window_start=datetime(2026, 12, 12, 22, 0))
    first, second = plan.vms
    assert first.downtime_seconds == second.downtime_seconds == 890  # 14 min 50 s each, one after the other
    assert "| Window start | 2026-12-12 22:00 |" in text and "the run starts at most 1 VM at once" in text
    assert f"| 4.1 | {first.vm_name} | {first.proxmox_name} ({first.vmid}) | {first.node} | 2026-12-12 22:00 | 2026-12-12 22:14 |" in text
    assert f"| 4.2 | {second.vm_name} | {second.proxmox_name} ({second.vmid}) | {second.node} | 2026-12-12 22:14 | 2026-12-12 22:29 |" in text
    assert "- [ ] **2026-12-12 21:00**: the pre-checks (section 1) are done" in text
    assert "- [ ] **2026-12-12 22:14**: the first VM back is confirmed by its owner" in text
    assert "- [ ] **2026-12-12 22:29**: every VM is validated (section 5)" in text


def test_without_a_window_start_the_timeline_counts_from_t_plus_zero():
    text = _render()
    assert "| 4.1 | db-01 | db-01 (2000) | pve2 | T+0:00 | T+0:10 | 10 min 03 s |" in text
    assert "- [ ] **T-1:00**: the pre-checks" in text and "first VM back" not in text  # both start at once


def test_every_known_address_is_printed_with_how_it_is_kept():
    vm = make_vm("web-01", primary_ip="192.0.2.9", nics=[_nic("00:50:56:00:03:01", IpAddress("10.0.40.5", 24, None),
                                                             IpAddress("fe80::5", 64, "linklayer"))])
    text = render_runbook(place_wave([candidate(vm)], make_snapshot(), PlanSettings(), wave=1, snapshot_version=1), 1, "0" * 64)
    assert "| eth0 | 00:50:56:00:03:01 | 10.0.40.5/24 | origin not reported: check the guest has it after the first boot" in text
    assert "|  |  | 192.0.2.9 | origin not reported" in text and "fe80::5" not in text
    assert "lists 10.0.40.5, 192.0.2.9;" in text and "no address was reported" not in text


def test_readiness_findings_become_checklist_items_blockers_first_information_left_out():
    blocker = _rule("DSK-08").finding("3 snapshots", {})
    checks = cutover_checks([_rule("TLS-01").finding("Tools not running", {}), _rule("DRV-03").finding("legacy", {}), blocker])
    assert [check.rule_id for check in checks] == ["DSK-08", "TLS-01"]
    plan = place_wave([candidate(make_vm("app-01", nics=[_nic("00:50:56:00:04:01")]), checks=checks)], make_snapshot(),
                      PlanSettings(), wave=1, snapshot_version=1)
    assert type(plan).from_dict(plan.to_dict()).vms[0].checks == checks  # kept in the stored plan
    text = render_runbook(plan, 1, "0" * 64)
    assert f"- [ ] DSK-08 (blocker): 3 snapshots. Remedy: {_rule('DSK-08').remedy.rstrip('.')}." in text


def test_a_name_with_markdown_renders_literally_in_its_heading_and_steps():
    hostile = make_vm("db `01` *x* <b>", nics=[_nic("00:50:56:00:05:01")])
    plan = place_wave([candidate(hostile)], make_snapshot(), PlanSettings(vmid_min=2000), wave=1, snapshot_version=1)
    text = render_runbook(plan, 1, "0" * 64)
    heading = next(line for line in text.splitlines() if line.startswith("### "))
    assert heading.startswith("### 4.1. db \\`01\\` \\*x\\* \\<b\\> → ")
    assert "that db \\`01\\` \\*x\\* \\<b\\> goes down now" in text


def test_the_runbook_file_is_as_readable_as_any_report(db_url, session, tmp_path):
    from tests.support.cli import run_cli

    store_plan(session)
    previous = os.umask(0o022)
    try:
        result = run_cli("runbook", "--wave", "1", "--window-start", "2026-12-12 22:00", "-o", str(tmp_path / "w.md"), db_url=db_url)
        os.umask(0o027)
        run_cli("runbook", "--wave", "1", "-o", str(tmp_path / "private.md"), db_url=db_url)
    finally:
        os.umask(previous)
    assert result.exit_code == 0 and (tmp_path / "w.md").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "private.md").stat().st_mode & 0o777 == 0o640
    assert "| Window start | 2026-12-12 22:00 |" in (tmp_path / "w.md").read_text()
    wrong = run_cli("runbook", "--wave", "1", "--window-start", "12/12/2026", db_url=db_url)
    assert wrong.exit_code == 2 and "--window-start" in wrong.stderr and "Traceback" not in wrong.stderr
