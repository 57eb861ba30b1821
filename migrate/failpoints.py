"""Named points where the crash-safety tests kill the process, the way a power cut or `kill -9` would.

MIGRATE_FAILPOINT="after:create_shell" sends SIGKILL to the process right after the step
`create_shell` has been journaled as done; "before:NAME" right after it was journaled as started.
`migrate finalize` has "before:finalize_KIND" (KIND an ha_resource, ha_rule, backup_job or first_backup change:
journaled as started, not sent) and "mid:finalize_KIND" (made on the target, not yet journaled as done).
Unset (always, outside those tests) it does nothing.
"""

from __future__ import annotations

import os
import signal

ENV = "MIGRATE_FAILPOINT"


def reached(point: str) -> None:
    if os.environ.get(ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
