"""Drill 19: a wave onto a storage whose new volumes are not zeroed must not skip writing the source's zeroes.

A thick LVM volume holds whatever the previous owner of its extents wrote (here 0xFF everywhere): a copy with
`--target-is-zero` would leave those bytes where the sparse source reads zero. On a `dir` storage the new
file reads as zeroes and the flag is kept, so the zero regions are not written at all.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from migrate.db.execution_models import StepRun
from migrate.db.session import session_factory
from migrate.execution import disk_copy
from tests.execution.test_run_wave import assert_migrated, run
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.realdirpve import add_lvm_storage


@pytest.fixture
def lvm_bed(served_pve, tmp_path, request):
    """The wave planned onto `tgt` as a thick LVM storage whose new volumes are full of 0xFF."""
    add_lvm_storage(served_pve, "tgt", tmp_path / "vg-pve", fill=b"\xff")
    return request.getfixturevalue("bed")


@pytest.fixture
def convert_lines(monkeypatch) -> list[list[str]]:
    """Every `qemu-img convert` command line the run sends to the node."""
    lines: list[list[str]] = []
    real = disk_copy.convert_argv

    def recording(source, target, **kwargs):
        argv = real(source, target, **kwargs)
        lines.append(argv)
        return argv

    monkeypatch.setattr(disk_copy, "convert_argv", recording)
    return lines


def test_a_thick_lvm_target_full_of_old_bytes_is_copied_without_target_is_zero(lvm_bed, engine, estate,
                                                                                convert_lines, served_pve):
    _, vms, _ = estate
    result = run(engine, lvm_bed)
    assert result.outcome.failed == {}
    disks = sum(len(vm.disks) for vm in vms)
    assert len(convert_lines) == disks
    assert not any("--target-is-zero" in argv for argv in convert_lines)
    assert all(argv[-1].startswith(served_pve.lvm_files["tgt"][0] + "/vm-") for argv in convert_lines)
    assert _journaled_zero_flags(engine) == [False] * disks
    # qemu-img compare reads every byte of the volume: an 0xFF left in a zero region of the source fails it.
    assert_migrated(lvm_bed, engine, vms)


def test_a_dir_target_keeps_target_is_zero_and_every_disk_matches(bed, engine, estate, convert_lines):
    _, vms, _ = estate
    assert run(engine, bed).outcome.failed == {}
    disks = sum(len(vm.disks) for vm in vms)
    assert len(convert_lines) == disks and all("--target-is-zero" in argv for argv in convert_lines)
    assert _journaled_zero_flags(engine) == [True] * disks
    assert_migrated(bed, engine, vms)


def _journaled_zero_flags(engine) -> list[bool]:
    with session_factory(engine)() as session:
        details = session.scalars(select(StepRun.detail).where(StepRun.step == "copy_disk")).all()
    return [detail["target_is_zero"] for detail in details]
