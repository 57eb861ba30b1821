"""`migrate target add|discover|check|list` against fakepve, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from migrate.db.plan_models import Target, TargetSnapshotRecord
from migrate.target.privileges import FINALIZE_PRIVILEGES, READ_PRIVILEGES, REQUIRED_PRIVILEGES
from tests.factories import make_vm
from tests.support.cli import run_cli
from tests.support.pve import SECRET, TOKEN_ID, add_nodes, endpoint, set_bridges
from tests.test_cli import seed

ENV = {"MIGRATE_PVE_TOKEN_SECRET": SECRET}


def add(db_url, fakepve, cafile, name="pve-prod", *extra):
    ep = endpoint(fakepve, cafile)
    return run_cli("target", "add", name, "--api", f"{ep.host}:{ep.port}", "--token-id", TOKEN_ID,
                   "--ca-file", cafile, *extra, db_url=db_url)


def test_add_then_discover_stores_a_versioned_snapshot_and_never_the_secret(db_url, session, fakepve, fakepve_cafile):
    add_nodes(fakepve, 3)
    assert add(db_url, fakepve, fakepve_cafile).exit_code == 0
    first = run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV)
    second = run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV)
    assert first.exit_code == 0, first.stderr
    assert "snapshot 1" in first.stdout and "snapshot 2" in second.stdout and "3 nodes (3 online)" in first.stdout
    assert session.scalars(select(TargetSnapshotRecord.version).order_by(TargetSnapshotRecord.version)).all() == [1, 2]
    dump = " ".join(str(row) for table in ("targets", "target_snapshots")
                    for row in session.execute(text(f"SELECT * FROM {table}")))
    assert SECRET not in dump and SECRET not in first.stdout + first.stderr


def test_discover_without_the_secret_says_which_variable_to_set(db_url, fakepve, fakepve_cafile):
    add(db_url, fakepve, fakepve_cafile)
    result = run_cli("target", "discover", "pve-prod", db_url=db_url, env={})
    assert result.exit_code == 2 and "set MIGRATE_PVE_TOKEN_SECRET" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_bad_secret_fails_in_one_line_and_stores_nothing(db_url, session, fakepve, fakepve_cafile):
    add(db_url, fakepve, fakepve_cafile)
    result = run_cli("target", "discover", "pve-prod", db_url=db_url, env={"MIGRATE_PVE_TOKEN_SECRET": "wrong-secret"})
    assert result.exit_code == 6 and result.stdout == ""
    assert result.stderr.startswith("migrate: error: Proxmox API") and "rejected API token" in result.stderr
    assert "Traceback" not in result.stderr and "wrong-secret" not in result.stderr
    assert session.scalars(select(TargetSnapshotRecord)).all() == []


def test_an_untrusted_certificate_is_refused_unless_insecure(db_url, fakepve, fakepve_cafile):
    ep = endpoint(fakepve, fakepve_cafile)
    run_cli("target", "add", "strict", "--api", f"{ep.host}:{ep.port}", "--token-id", TOKEN_ID, db_url=db_url)
    run_cli("target", "add", "lab", "--api", f"{ep.host}:{ep.port}", "--token-id", TOKEN_ID, "--insecure", db_url=db_url)
    refused = run_cli("target", "discover", "strict", db_url=db_url, env=ENV)
    assert refused.exit_code == 5 and "could not be verified: give its CA with --ca-file" in refused.stderr
    assert run_cli("target", "discover", "lab", db_url=db_url, env=ENV).exit_code == 0


def test_add_refuses_a_duplicate_name_a_bad_token_id_and_both_ca_and_insecure(db_url, session, fakepve, fakepve_cafile):
    assert add(db_url, fakepve, fakepve_cafile).exit_code == 0
    duplicate = add(db_url, fakepve, fakepve_cafile)
    assert duplicate.exit_code == 2 and "target pve-prod exists already" in duplicate.stderr
    bad_token = run_cli("target", "add", "x", "--api", "pve1", "--token-id", "migrate", db_url=db_url)
    assert bad_token.exit_code == 2 and "user@realm!name" in bad_token.stderr
    both = add(db_url, fakepve, fakepve_cafile, "y", "--insecure")
    assert both.exit_code == 2 and "choose one of --ca-file and --insecure" in both.stderr
    bad_port = run_cli("target", "add", "z", "--api", "pve1:http", "--token-id", TOKEN_ID, db_url=db_url)
    assert bad_port.exit_code == 2 and "the port must be a number" in bad_port.stderr
    assert session.scalars(select(Target.name)).all() == ["pve-prod"]


def test_list_shows_how_each_target_is_reached(db_url, fakepve, fakepve_cafile):
    add(db_url, fakepve, fakepve_cafile)
    result = run_cli("target", "list", "--format", "json", db_url=db_url)
    [row] = json.loads(result.stdout)
    assert row["name"] == "pve-prod" and row["token_id"] == TOKEN_ID and row["tls"].startswith("CA ")


def _check(db_url, fakepve, fakepve_cafile, *extra):
    add(db_url, fakepve, fakepve_cafile)
    discovered = run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV)
    assert discovered.exit_code == 0, discovered.stderr
    return run_cli("target", "check", "pve-prod", "--format", "json", *extra, db_url=db_url)


def _grant_all(fakepve, skip=(), roles=(REQUIRED_PRIVILEGES, FINALIZE_PRIVILEGES)):
    """The migration's role and finalize's (LZ-13 names finalize's when they are missing), less `skip`."""
    fakepve.grant("migrate@pve", "/", *[p for role in roles for p in role if p not in skip])


def test_check_of_a_healthy_three_node_cluster_passes(db_url, fakepve, fakepve_cafile):
    add_nodes(fakepve, 3)
    _grant_all(fakepve)
    result = _check(db_url, fakepve, fakepve_cafile)
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_check_of_a_two_node_cluster_asks_for_a_qdevice(db_url, fakepve, fakepve_cafile):
    add_nodes(fakepve, 2)
    _grant_all(fakepve)
    result = _check(db_url, fakepve, fakepve_cafile)
    assert result.exit_code == 3
    assert [f["rule_id"] for f in json.loads(result.stdout)] == ["LZ-01"]


def test_check_reports_lost_quorum(db_url, fakepve, fakepve_cafile):
    add_nodes(fakepve, 3)
    _grant_all(fakepve)
    fakepve.lose_quorum()
    result = _check(db_url, fakepve, fakepve_cafile)
    assert [f["rule_id"] for f in json.loads(result.stdout)] == ["LZ-02"]


def test_check_names_the_missing_privilege(db_url, fakepve, fakepve_cafile):
    add_nodes(fakepve, 3)
    _grant_all(fakepve, skip=("VM.PowerMgmt",))
    result = _check(db_url, fakepve, fakepve_cafile)
    [finding] = json.loads(result.stdout)
    assert result.exit_code == 3 and finding["rule_id"] == "LZ-10" and "lacks VM.PowerMgmt" in finding["message"]


def test_check_reports_a_mapped_bridge_missing_on_a_node(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    add_nodes(fakepve, 3)
    _grant_all(fakepve)
    set_bridges(monkeypatch, {"pve1": [("vmbr0", True), ("vmbr1", True)], "pve2": [("vmbr0", True)],
                              "pve3": [("vmbr0", True), ("vmbr1", True)]})
    session.execute(text("INSERT INTO sources (name, created_at) VALUES ('vc1.example.com', CURRENT_TIMESTAMP)"))
    session.commit()
    (tmp_path / "vc1.example.com.yaml").write_text(
        'source: vc1.example.com\nnetworks:\n  "VM Network": {bridge: vmbr1, vlan: 20}\nstorage: {}\n')
    result = _check(db_url, fakepve, fakepve_cafile, "--mappings", str(tmp_path))
    [finding] = json.loads(result.stdout)
    assert finding["rule_id"] == "LZ-06" and finding["message"] == "bridge vmbr1 is missing on pve2"


def test_read_privileges_alone_are_enough_to_discover(db_url, fakepve, fakepve_cafile):
    fakepve.grant("migrate@pve", "/", *READ_PRIVILEGES, *FINALIZE_PRIVILEGES)
    result = _check(db_url, fakepve, fakepve_cafile)
    [finding] = json.loads(result.stdout)
    assert finding["rule_id"] == "LZ-10" and "VM.Allocate" in finding["message"]


def test_check_names_the_finalize_privileges_a_token_with_the_migration_role_lacks(db_url, fakepve, fakepve_cafile):
    add_nodes(fakepve, 3)
    _grant_all(fakepve, roles=(REQUIRED_PRIVILEGES,))
    result = _check(db_url, fakepve, fakepve_cafile)
    [finding] = json.loads(result.stdout)
    assert result.exit_code == 0 and finding["rule_id"] == "LZ-13" and finding["severity"] == "info"
    assert "lacks Sys.Console, Sys.Modify, VM.Backup on /" in finding["message"]
    assert "MigrateFinalize role of docs/proxmox-role.md" in finding["remedy"]


def test_check_names_nodes_whose_host_key_is_not_in_known_hosts(db_url, fakepve, fakepve_cafile, tmp_path):
    add_nodes(fakepve, 3)
    _grant_all(fakepve)
    known = tmp_path / "known_hosts"
    known.write_text("pve1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9Bzjx0FlDqD0EGeXkEhJ4n9bVj0G0A9I0yI1yqv5T\n"
                     "192.0.2.13 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9Bzjx0FlDqD0EGeXkEhJ4n9bVj0G0A9I0yI1yqv5T\n")
    ep = endpoint(fakepve, fakepve_cafile)
    run_cli("target", "add", "pve-prod", "--api", f"{ep.host}:{ep.port}", "--token-id", TOKEN_ID, "--ca-file",
            fakepve_cafile, "--ssh-user", "root", "--known-hosts", str(known), db_url=db_url)
    assert run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV).exit_code == 0
    result = run_cli("target", "check", "pve-prod", "--format", "json", db_url=db_url)
    found = json.loads(result.stdout)
    assert result.exit_code == 0 and {finding["rule_id"] for finding in found} == {"LZ-12"}
    # The run connects to a node's cluster address, and OpenSSH looks the key up by that address: pve1's key,
    # filed under its name only, would not be found either.
    assert [f["message"].split(" in ")[0] for f in found] == ["no host key for node pve1 (reached at 192.0.2.11)",
                                                               "no host key for node pve2 (reached at 192.0.2.12)"]


def test_debug_output_of_a_failed_login_does_not_reveal_the_secret(db_url, fakepve, fakepve_cafile):
    add(db_url, fakepve, fakepve_cafile)
    secret = "do-not-print-this-secret"
    result = run_cli("--debug", "target", "discover", "pve-prod", db_url=db_url, env={"MIGRATE_PVE_TOKEN_SECRET": secret})
    assert result.exit_code == 6 and "Traceback" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_add_refuses_files_that_do_not_exist(db_url, session, tmp_path):
    for option in ("--ca-file", "--ssh-key", "--known-hosts"):
        result = run_cli("target", "add", "t", "--api", "pve1", "--token-id", TOKEN_ID, option, str(tmp_path / "nope"),
                         db_url=db_url)
        assert result.exit_code == 2 and result.stderr == f"migrate: error: {option} {tmp_path / 'nope'}: no such file\n"
    assert session.scalars(select(Target)).all() == []


def test_node_addresses_recorded_with_target_set_are_what_check_judges(db_url, fakepve, fakepve_cafile, tmp_path):
    # The run reaches nodes where `target set` says; the check must look up the host key of that same address, so
    # a warning in one is the truth in the other.
    add_nodes(fakepve, 3)
    _grant_all(fakepve)
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9Bzjx0FlDqD0EGeXkEhJ4n9bVj0G0A9I0yI1yqv5T"
    known = tmp_path / "known_hosts"
    known.write_text(f"192.0.2.11 {key}\n192.0.2.12 {key}\n[127.0.0.1]:2203 {key}\n")
    ep = endpoint(fakepve, fakepve_cafile)
    run_cli("target", "add", "pve-prod", "--api", f"{ep.host}:{ep.port}", "--token-id", TOKEN_ID, "--ca-file",
            fakepve_cafile, "--known-hosts", str(known), db_url=db_url)
    assert run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV).exit_code == 0
    before = json.loads(run_cli("target", "check", "pve-prod", "--format", "json", db_url=db_url).stdout)
    assert [f["message"].split(" in ")[0] for f in before] == ["no host key for node pve3 (reached at 192.0.2.13)"]

    changed = run_cli("target", "set", "pve-prod", "--node-address", "pve3=127.0.0.1:2203", "--node-address",
                      "pve2=127.0.0.1:2299", db_url=db_url)

    assert changed.exit_code == 0, changed.stderr
    assert changed.stdout == ("target pve-prod: nodes reached as root on port 22, pve2=127.0.0.1:2299, "
                              "pve3=127.0.0.1:2203; plans assume the default 100 MiB/s per VM until runs on it have "
                              "measured copies; no virtio-win ISO: Windows guests keep their safe config\n")
    after = json.loads(run_cli("target", "check", "pve-prod", "--format", "json", db_url=db_url).stdout)
    assert [f["message"].split(" in ")[0] for f in after] == ["no host key for node pve2 (reached at 127.0.0.1:2299)"]
    removed = run_cli("target", "set", "pve-prod", "--node-address", "pve2=", db_url=db_url)
    assert "pve2" not in removed.stdout and "pve3=127.0.0.1:2203;" in removed.stdout
    assert json.loads(run_cli("target", "check", "pve-prod", "--format", "json", db_url=db_url).stdout) == []


def test_target_set_refuses_bad_addresses_and_unknown_targets(db_url, fakepve, fakepve_cafile):
    add(db_url, fakepve, fakepve_cafile)
    cases = {
        ("pve-prod", "--node-address", "pve1"): "--node-address 'pve1': give it as NODE=HOST[:PORT], e.g. pve1=10.0.0.11",
        ("pve-prod", "--node-address", "pve1=h:99999"): "node address 'h:99999': the port must be a number from 1 to 65535",
        ("pve-prod", "--virtio-win", "local:iso/virtio-win.iso"): "--virtio-win local:iso/virtio-win.iso: give the "
        "ISO's absolute path on the nodes, e.g. /var/lib/vz/template/iso/virtio-win.iso (`pvesm path "
        "local:iso/virtio-win.iso` prints it)",
        ("pve-prod", "--virtio-win", "/i.iso", "--clear-virtio-win"): "give one of --virtio-win PATH and --clear-virtio-win",
        ("nope", "--ssh-port", "2222"): "target nope is not known: add it with `migrate target add nope --api HOST "
                                        "--token-id ID`",
    }
    for args, message in cases.items():
        result = run_cli("target", "set", *args, db_url=db_url)
        assert result.exit_code != 0 and result.stderr == f"migrate: error: {message}\n", (args, result.stderr)


def test_the_virtio_win_iso_a_target_names_puts_windows_on_virtio_in_mapping_show_with_its_safe_config_kept(
        db_url, fakepve, fakepve_cafile, tmp_path):
    add_nodes(fakepve, 1)
    seed(db_url, make_vm("win-01", guest_id="windows2019srv_64Guest",
                         guest_full_name="Microsoft Windows Server 2019 (64-bit)"))
    add(db_url, fakepve, fakepve_cafile)
    assert run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV).exit_code == 0
    iso = "/var/lib/vz/template/iso/virtio-win.iso"

    def shown(*target):
        result = run_cli("mapping", "show", "win-01", "--dir", str(tmp_path), "--format", "json", *target, db_url=db_url)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    assert shown("--target", "pve-prod")["params"]["boot"] == "order=sata0", "no ISO named: its safe config"
    changed = run_cli("target", "set", "pve-prod", "--virtio-win", iso, db_url=db_url)
    assert changed.exit_code == 0 and changed.stdout.endswith(f"; Windows guests converted with {iso}\n")
    onto = shown("--target", "pve-prod")
    assert onto["params"]["boot"] == "order=scsi0" and onto["params"]["net0"].startswith("virtio=")
    assert onto["conversion"]["virtio_win"] == iso and onto["unconverted"]["boot"] == "order=sata0"
    assert shown()["params"]["boot"] == "order=sata0", "without --target no target's ISO is assumed"
    listed = json.loads(run_cli("target", "list", "--format", "json", db_url=db_url).stdout)
    assert listed[0]["virtio_win"] == iso
    cleared = run_cli("target", "set", "pve-prod", "--clear-virtio-win", db_url=db_url)
    assert cleared.exit_code == 0 and shown("--target", "pve-prod")["params"]["boot"] == "order=sata0"
