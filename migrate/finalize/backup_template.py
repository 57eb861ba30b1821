"""`--backup-job-template FILE.yaml`: the settings of the backup job finalize creates when `--backup-job ID` does not
exist on the target yet, as the production architecture asks for one (a schedule, a storage, a retention, mode
snapshot). Only what a vzdump job of /cluster/backup takes is accepted, so a typo is named, not ignored:

    schedule: "21:00"            # required, a PVE calendar event
    storage: pbs-main            # required, a storage with backup content (a Proxmox Backup Server one)
    retention: {keep-daily: 7, keep-weekly: 4, keep-monthly: 6}   # PVE's prune-backups
    mode: snapshot               # the default; suspend or stop
    compress: zstd               # optional
    notes-template: "{{guestname}}"
    comment: daily, migrated VMs
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrate.errors import UsageError
from migrate.mapping.yaml12 import load_yaml_file

REQUIRED = ("schedule", "storage")
PASSED = ("schedule", "storage", "mode", "compress", "notes-template", "comment")  # sent as they are
KEEP = ("keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly")
MODES = ("snapshot", "suspend", "stop")


def load_backup_template(path: Path) -> dict[str, Any]:
    """The job settings (PVE's parameter names) a template file gives; UsageError naming the file and the fix."""
    data = load_yaml_file(path).data
    if not isinstance(data, dict):
        raise UsageError(f"backup job template {path}: give a mapping of schedule, storage, retention, mode")
    return backup_job_settings(data, str(path))


def backup_job_settings(data: dict[str, Any], where: str) -> dict[str, Any]:
    """A template's settings as /cluster/backup takes them: retention as prune-backups, mode snapshot by default."""
    unknown = sorted(set(map(str, data)) - {*PASSED, "retention"})
    if unknown:
        raise UsageError(f"backup job template {where}: unknown key {', '.join(unknown)}; use "
                         f"{', '.join(PASSED[:2])}, retention, {', '.join(PASSED[2:])}")
    missing = [key for key in REQUIRED if not data.get(key)]
    if missing:
        raise UsageError(f"backup job template {where}: give {' and '.join(missing)}")
    settings = {key: str(data[key]) for key in PASSED if data.get(key) is not None}
    settings.setdefault("mode", "snapshot")
    if settings["mode"] not in MODES:
        raise UsageError(f"backup job template {where}: mode {settings['mode']} is not one of {', '.join(MODES)}")
    if data.get("retention") is not None:
        settings["prune-backups"] = _prune_backups(data["retention"], where)
    return {**settings, "enabled": 1}


def _prune_backups(retention: Any, where: str) -> str:
    """PVE's prune-backups (`keep-daily=7,keep-weekly=4`) from the template's retention mapping."""
    if not isinstance(retention, dict) or not retention:
        raise UsageError(f"backup job template {where}: give retention as a mapping, e.g. {{keep-daily: 7}}")
    parts = []
    for key, value in retention.items():
        if key not in KEEP:
            raise UsageError(f"backup job template {where}: retention {key} is not one of {', '.join(KEEP)}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise UsageError(f"backup job template {where}: retention {key} must be a whole number of 1 or more")
        parts.append(f"{key}={value}")
    return ",".join(parts)
