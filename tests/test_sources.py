"""Sources like targets: `migrate source add|set|list|check` records a vCenter once, and `discover` needs only its
name (or nothing, when there is one source); the explicit flags keep working for scripts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from lab.vcsim import start_vcsim
from migrate.db.models import Source
from migrate.errors import ExitCode
from tests.support.cli import run_cli

pytestmark = pytest.mark.vcsim


@pytest.fixture(scope="module")
def vcsim():
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 2, "ds": 1}) as sim:
        yield sim


def _env(sim) -> dict[str, str]:
    return {"MIGRATE_VCENTER_PASSWORD": sim.password}


def _add(sim, db_url, name="prod-vc", *trust):
    trust = trust or ("--ca-file", str(sim.ca_file))
    return run_cli("source", "add", name, "--vcenter", f"{sim.host}:{sim.port}", "--user", sim.username, *trust,
                   db_url=db_url)


def test_a_recorded_source_is_checked_and_discovered_by_its_name_alone(vcsim, db_url, session):
    added = _add(vcsim, db_url)
    assert added.exit_code == 0, added.stderr
    assert added.stdout == (f"added source prod-vc: {vcsim.host}:{vcsim.port} as {vcsim.username}, "
                            f"certificate: CA file {vcsim.ca_file.resolve()}\n")

    checked = run_cli("source", "check", "prod-vc", db_url=db_url, env=_env(vcsim))
    discovered = run_cli("discover", db_url=db_url, env=_env(vcsim))  # the only source: no flag at all

    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout.startswith(f"prod-vc: logged in to {vcsim.host}:{vcsim.port} as {vcsim.username}: VMware")
    assert discovered.exit_code == 0, discovered.stderr
    assert discovered.stdout.startswith("discovered prod-vc: 2 VMs")
    listed = json.loads(run_cli("source", "list", "--format", "json", db_url=db_url).stdout)
    assert listed == [{"source": "prod-vc", "vcenter": f"{vcsim.host}:{vcsim.port}", "user": vcsim.username,
                       "trust": f"CA file {vcsim.ca_file.resolve()}", "discoveries": 1}]
    session.expire_all()
    assert session.scalars(select(Source.name)).all() == ["prod-vc"]  # the inventory's source is the same record


def test_the_explicit_flags_still_discover_and_are_remembered_for_later_commands(vcsim, db_url, session):
    first = run_cli("discover", "--vcenter", f"{vcsim.host}:{vcsim.port}", "--user", vcsim.username,
                    "--ca-file", str(vcsim.ca_file), db_url=db_url, env=_env(vcsim))
    assert first.exit_code == 0, first.stderr
    name = f"{vcsim.host}:{vcsim.port}"
    assert first.stdout.startswith(f"discovered {name}: 2 VMs")
    again = run_cli("discover", "--source", name, db_url=db_url, env=_env(vcsim))
    assert again.exit_code == 0, again.stderr
    session.expire_all()
    source = session.scalar(select(Source))
    assert (source.vcenter_host, source.vcenter_port, source.vcenter_user) == (vcsim.host, vcsim.port, vcsim.username)
    assert len(source.runs) == 2


def test_the_password_is_never_stored_and_a_missing_one_is_named(vcsim, db_url, session):
    assert _add(vcsim, db_url).exit_code == 0
    missing = run_cli("discover", "--source", "prod-vc", db_url=db_url, env={})
    assert missing.exit_code == 2
    assert missing.stderr == (f"migrate: error: no password for {vcsim.username}: set MIGRATE_VCENTER_PASSWORD "
                              "(stdin is not a terminal, so no prompt)\n")
    run_cli("discover", db_url=db_url, env=_env(vcsim))
    session.expire_all()
    rows = session.execute(select(Source.__table__)).mappings().all()
    assert vcsim.password not in json.dumps([dict(row) for row in rows], default=str)


def test_bad_source_input_gives_one_line_naming_the_fix(vcsim, db_url, tmp_path):
    assert _add(vcsim, db_url).exit_code == 0
    cases = {
        ("source", "add", "prod-vc", "--vcenter", "vc2"):
            "migrate: error: source prod-vc exists already: change it with `migrate source set prod-vc ...`\n",
        ("source", "add", "x", "--vcenter", "vc:99999"):
            "migrate: error: --vcenter 'vc:99999': the port must be a number from 1 to 65535\n",
        ("source", "add", "x", "--vcenter", "vc", "--insecure", "--thumbprint", "AA"):
            "migrate: error: choose one of --ca-file, --thumbprint and --insecure\n",
        ("discover", "--source", "nope"):
            "migrate: error: source nope is not known: add it with `migrate source add nope --vcenter HOST --user USER`\n",
        ("source", "check", "nope"):
            "migrate: error: source nope is not known: add it with `migrate source add nope --vcenter HOST --user USER`\n",
    }
    for args, message in cases.items():
        result = run_cli(*args, db_url=db_url, env=_env(vcsim))
        assert result.exit_code != 0 and result.stderr == message, (args, result.stderr)


def test_a_changed_trust_replaces_the_old_one_and_a_wrong_thumbprint_fails_the_check(vcsim, db_url):
    assert _add(vcsim, db_url).exit_code == 0
    pinned = run_cli("source", "set", "prod-vc", "--thumbprint", "ab" * 32, db_url=db_url)
    assert pinned.exit_code == 0 and pinned.stdout.endswith("certificate: thumbprint\n")
    refused = run_cli("source", "check", "prod-vc", db_url=db_url, env=_env(vcsim))
    assert refused.exit_code == ExitCode.UNREACHABLE and len(refused.stderr.splitlines()) == 1
    assert "does not match the thumbprint" in refused.stderr
    insecure = run_cli("source", "set", "prod-vc", "--insecure", db_url=db_url)
    assert insecure.stdout.endswith("certificate: not verified (--insecure)\n")
    assert run_cli("source", "check", "prod-vc", db_url=db_url, env=_env(vcsim)).exit_code == 0
