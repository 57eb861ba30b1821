"""Steps as data: every step that changes something declares its undo, and a rollback calls the undos in order."""

from __future__ import annotations

import pytest

from migrate.errors import TargetApiError
from migrate.execution import itinerary, services
from migrate.execution.itinerary import Stage, Step, Undo, UndoContext, undo_order
from migrate.execution.rollback import _undo
from migrate.execution.steps import ITINERARY
from migrate.execution.vm_plan import SourceRef
from migrate.execution.vm_state import VmState

# The steps that only read (and record what they read): nothing of theirs for a rollback to take back.
READ_ONLY = {"preflight", "verify"}


def test_every_step_that_changes_something_declares_an_undo():
    assert {step.name for step in ITINERARY if step.undo is None} == READ_ONLY


def test_a_rollback_undoes_the_target_before_the_source_each_side_last_step_first():
    assert [step.name for step in undo_order(ITINERARY)] == [
        "start_target", "attach", "create_shell",  # the VM: destroying it takes its config, its power, its disks
        "convert", "copy_disk",  # then what the VM did not take: the conversion's copies, then the volumes
        "disconnect_source_nics", "stop_source",  # the source last: NICs reconnected before it powers on
    ]


def recording(calls: list[str], name: str, stage: Stage, leaves: str | None = None) -> Step:
    def undo(ctx: UndoContext) -> None:
        calls.append(name)
        ctx.undone.append(f"undid {name}")
        if leaves:
            ctx.left.append(leaves)

    return Step(name, lambda ctx: None, undo=Undo(undo, stage))


def undo_context() -> UndoContext:
    return UndoContext(None, SourceRef("vm-1"), VmState(), services=None)


def test_the_rollback_calls_the_undos_backwards_in_the_itinerary_within_each_stage():
    calls: list[str] = []
    steps = [recording(calls, "one", Stage.SOURCE), Step("reads", lambda ctx: None),
             recording(calls, "two", Stage.TARGET), recording(calls, "three", Stage.SOURCE),
             recording(calls, "four", Stage.TARGET), recording(calls, "five", Stage.LEFT_ON_TARGET)]
    ctx = undo_context()
    _undo(ctx, steps)
    assert calls == ["four", "two", "five", "three", "one"]
    assert ctx.undone == [f"undid {name}" for name in calls]


def test_what_an_undo_had_to_leave_fails_the_rollback_only_after_every_undo_ran():
    calls: list[str] = []
    steps = [recording(calls, "source", Stage.SOURCE),
             recording(calls, "volumes", Stage.LEFT_ON_TARGET, leaves="volume data:1 is still there")]
    ctx = undo_context()
    with pytest.raises(TargetApiError, match="^volume data:1 is still there$"):
        _undo(ctx, steps)
    assert calls == ["volumes", "source"]


def test_the_run_services_have_everything_the_steps_call():
    wanted = set(itinerary.Services.__annotations__) | {
        name for name in vars(itinerary.Services) if not name.startswith("_")}
    concrete = services.Services
    assert wanted and all(hasattr(concrete, name) or name in concrete.__dataclass_fields__ for name in wanted)


def test_disks_are_verified_before_the_target_first_starts_and_before_the_source_is_cut_off():
    names = [step.name for step in ITINERARY]
    assert names.index("copy_disk") < names.index("verify") < names.index("disconnect_source_nics")
    assert names.index("verify") < names.index("start_target")


def test_the_guest_is_converted_after_its_disks_are_verified_and_before_the_first_start():
    names = [step.name for step in ITINERARY]
    assert names.index("verify") < names.index("convert") < names.index("start_target")
    # A failed conversion leaves the source's NICs connected, so the rollback brings the source back as it was.
    assert names.index("convert") < names.index("disconnect_source_nics")
    # The volumes are attached once the conversion says which config they boot on (VirtIO, or the safe one).
    assert names.index("convert") < names.index("attach") < names.index("start_target")
