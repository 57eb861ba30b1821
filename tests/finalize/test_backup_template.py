"""--backup-job-template: the job finalize creates when --backup-job names none on the target, read from a file
that accepts only what a vzdump job takes."""

from __future__ import annotations

import pytest

from migrate.errors import UsageError
from migrate.finalize.backup import plan_backups
from migrate.finalize.backup_template import backup_job_settings, load_backup_template
from migrate.finalize.model import Action, MigratedVm
from tests.finalize.test_plan import make_guest, make_state

TEMPLATE = {"schedule": "21:00", "storage": "local", "mode": "snapshot", "prune-backups": "keep-daily=7", "enabled": 1}


def test_a_template_file_gives_the_jobs_settings_with_retention_as_prune_backups(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text('schedule: 21:00\nstorage: pbs-main\nretention: {keep-daily: 7, keep-weekly: 4}\n'
                    'compress: zstd\ncomment: migrated VMs\n')
    assert load_backup_template(path) == {"schedule": "21:00", "storage": "pbs-main", "compress": "zstd",
                                          "comment": "migrated VMs", "mode": "snapshot",
                                          "prune-backups": "keep-daily=7,keep-weekly=4", "enabled": 1}


@pytest.mark.parametrize("data, named", [
    ({"schedule": "21:00"}, "give storage"),
    ({"schedule": "21:00", "storage": "s", "retension": {}}, "unknown key retension"),
    ({"schedule": "21:00", "storage": "s", "mode": "live"}, "mode live is not one of snapshot, suspend, stop"),
    ({"schedule": "21:00", "storage": "s", "retention": {"keep-days": 7}}, "retention keep-days is not one of"),
    ({"schedule": "21:00", "storage": "s", "retention": {"keep-daily": 0}}, "must be a whole number of 1 or more"),
    ({"schedule": "21:00", "storage": "s", "retention": 7}, "give retention as a mapping"),
])
def test_a_template_that_pve_would_refuse_or_that_has_a_typo_is_named(data, named):
    with pytest.raises(UsageError, match=named):
        backup_job_settings(data, "job.yaml")


def test_a_missing_job_is_created_from_the_template_with_the_uncovered_vms():
    vms = [MigratedVm("a", 1, "key-a", 1001, "pve1"), MigratedVm("b", 2, "key-b", 1002, "pve2")]
    state = make_state(guests={1001: make_guest(1001), 1002: make_guest(1002, node="pve2")},
                       backup_jobs={"daily": {"vmid": "1002"}})
    changes, notes = plan_backups(vms, state, "migrated", TEMPLATE)
    assert [(c.action, c.object_id, c.vms) for c in changes] == [(Action.CREATE, "migrated", ("a",))]
    assert changes[0].params == {"id": "migrated", **TEMPLATE, "vmid": "1001"} and notes == []


def test_an_existing_job_is_added_to_and_the_template_is_said_not_applied():
    vm = MigratedVm("a", 1, "key-a", 1001, "pve1")
    state = make_state(guests={1001: make_guest()}, backup_jobs={"migrated": {"vmid": "5", "storage": "pbs"}})
    changes, notes = plan_backups([vm], state, "migrated", TEMPLATE)
    assert [(c.action, c.params) for c in changes] == [(Action.UPDATE, {"vmid": "5,1001"})]
    assert [n.reason for n in notes] == ["backup job migrated exists: its settings are kept, "
                                         "--backup-job-template is not applied"]


def test_no_job_is_created_while_every_vm_is_covered():
    vm = MigratedVm("a", 1, "key-a", 1001, "pve1")
    state = make_state(guests={1001: make_guest()}, backup_jobs={"daily": {"vmid": "1001"}})
    assert plan_backups([vm], state, "migrated", TEMPLATE) == ([], [])
