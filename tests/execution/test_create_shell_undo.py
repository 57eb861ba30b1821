"""create_shell's undo against fakepve: it destroys only the VM proven ours, and names what it left alone."""

from __future__ import annotations

from types import SimpleNamespace

from migrate.clients.proxmox import vm as pvevm
from migrate.execution.itinerary import UndoContext
from migrate.execution.steps import create_shell
from migrate.execution.vm_plan import SourceRef
from migrate.execution.vm_state import VmState
from tests.execution.test_pve_vm import CONFIG, api, owned  # noqa: F401  (api is a fixture)


def undo_with(api, ownership) -> UndoContext:
    ctx = UndoContext(ownership, SourceRef("vm-1"), VmState(), SimpleNamespace(pve=api))
    create_shell.undo(ctx)
    return ctx


def test_the_undo_destroys_our_vm_and_names_its_clone(api):
    pvevm.create_shell(api, "pve1", CONFIG, owned(4200))
    pvevm.wait_task(api, "pve1", api.post("/nodes/pve1/qemu/4200/clone", newid=4201, name="copy", full=1), "cloning")
    ctx = undo_with(api, owned(4200))
    assert ctx.undone == ["destroyed target VM 4200 on pve1"] and ctx.left == []
    assert ctx.noted == ["left alone: VM 4201 ('copy') on node pve1 carries the toolkit's marker but is not its VM "
                         "(a clone or a restored backup)"]
    assert pvevm.find_vm(api, 4201) is not None


def test_the_undo_leaves_a_stranger_at_our_vmid_and_says_why(api):
    api.post("/nodes/pve1/qemu", vmid=4202, name="stranger", memory=512)
    ctx = undo_with(api, owned(4202))
    assert ctx.undone == [] and ctx.left == []
    assert "VMID 4202 on node pve1 holds VM 'stranger', which is not the toolkit's VM" in ctx.noted[0]
    assert pvevm.find_vm(api, 4202) is not None


def test_the_undo_without_a_plan_for_the_vm_does_nothing(api):
    assert undo_with(api, None).undone == []
