"""The steps of a VM's migration, one module each, each declaring beside it how a rollback undoes it;
`ITINERARY` orders them."""

from __future__ import annotations

from migrate.execution.itinerary import Step
from migrate.execution.steps import (
    attach,
    convert,
    copy_disk,
    create_shell,
    disconnect_source_nics,
    preflight,
    start_target,
    stop_source,
    verify,
)

ITINERARY: list[Step] = [
    preflight.STEP,
    create_shell.STEP,
    stop_source.STEP,
    copy_disk.STEP,
    # Before the first start: a booted guest writes its disks (and QEMU holds a write lock on a qcow2 volume),
    # so only a volume no guest has run on can be compared with its source; a failed check also leaves the
    # source's NICs connected.
    verify.STEP,
    # After the copy is verified (the compare reads the volumes as copied) and before the first start.
    convert.STEP,
    # After the conversion: a guest planned on VirtIO because the conversion brings the drivers gets its safe
    # config's slots and devices when it was not converted.
    attach.STEP,
    disconnect_source_nics.STEP,
    start_target.STEP,
]
