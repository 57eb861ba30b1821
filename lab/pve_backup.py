"""Backups on the simulated cluster: vzdump jobs (/cluster/backup) and a vzdump task that writes its archive.

fakepve 0.5.0 answers these paths from the schema and stores nothing; this mixin of the lab's FakePve keeps
`jobs.cfg` in memory and runs `POST /nodes/{node}/vzdump` as a task that writes a small archive file into the
storage's `dump/` directory, registered as the storage's backup volume, and ends `OK`. It follows pve-manager's
PVE/API2/Backup.pm and PVE/VZDump.pm: a duplicate job id, `vmid` with `all`, `pool` or `exclude`, no selection at
all, an unknown storage or one without backup content, and a VM that is not on the node are refused with PVE's
messages; a VM destroyed with `purge` leaves every job's VMID list and its HA resource, as on PVE.
Deviation: the archive holds the VM's config, not its disks.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from fakepve.model import TaskError
from fakepve.routing import die, param_error, split_list

JOB_DEFAULTS = {"enabled": 1, "mode": "snapshot", "type": "vzdump"}
NOT_JOB_KEYS = ("delete", "digest", "id")


class BackupApi:
    """Mixin of the lab's FakePve: /cluster/backup and /nodes/{node}/vzdump."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.backup_jobs: dict[str, dict[str, Any]] = {}  # job id -> settings, as jobs.cfg

    def _routes_backup(self):
        one = "/cluster/backup/{id}"
        return [("GET", "/cluster/backup", self._backup_index), ("POST", "/cluster/backup", self._backup_create),
                ("GET", one, self._backup_read), ("PUT", one, self._backup_update),
                ("DELETE", one, self._backup_delete), ("POST", "/nodes/{node}/vzdump", self._vzdump)]

    # ----------------------------------------------------------------- jobs

    def _job_view(self, job_id: str) -> dict[str, Any]:
        return {"id": job_id, **self.backup_jobs[job_id]}

    async def _backup_index(self, v, user):
        return [self._job_view(job_id) for job_id in sorted(self.backup_jobs)]

    async def _backup_read(self, v, user):
        if v["id"] not in self.backup_jobs:
            raise param_error(id=f"No such job '{v['id']}'")
        return self._job_view(v["id"])

    async def _backup_create(self, v, user):
        job_id = v.get("id") or f"backup-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:4]}"
        settings = {**JOB_DEFAULTS, **{k: val for k, val in v.items() if k not in NOT_JOB_KEYS}}
        if "schedule" not in settings:
            settings["schedule"] = settings.pop("starttime", None) or "00:00"
        if job_id in self.backup_jobs:
            raise die(f"Job with ID '{job_id}' already exists")
        self._check_selection(settings, check_missing=True)
        self._check_backup_storage(settings.get("storage"))
        self.backup_jobs[job_id] = _normalised(settings)

    async def _backup_update(self, v, user):
        job = self.backup_jobs.get(v["id"])
        if job is None or job.get("type") != "vzdump":
            raise die("no such vzdump job")
        settings = {k: val for k, val in job.items() if k not in split_list(v.get("delete"))}
        settings.update({k: val for k, val in v.items() if k not in NOT_JOB_KEYS})
        if v.get("vmid"):  # a VMID list replaces a selection by all (and its excludes), as Backup.pm does
            settings.pop("all", None)
            settings.pop("exclude", None)
        self._check_selection(settings, check_missing=True)
        self._check_backup_storage(settings.get("storage"))
        self.backup_jobs[v["id"]] = _normalised(settings)

    async def _backup_delete(self, v, user):
        if v["id"] not in self.backup_jobs:
            raise param_error(id=f"No such job '{v['id']}'")
        del self.backup_jobs[v["id"]]

    @staticmethod
    def _check_selection(settings: dict[str, Any], check_missing: bool) -> None:
        """PVE::VZDump::verify_vzdump_parameters."""
        if _on(settings.get("all")) and settings.get("vmid"):
            raise param_error(all="option conflicts with option 'vmid'")
        if settings.get("exclude") and settings.get("vmid"):
            raise param_error(exclude="option conflicts with option 'vmid'")
        if settings.get("pool") and settings.get("vmid"):
            raise param_error(pool="option conflicts with option 'vmid'")
        if check_missing and not (_on(settings.get("all")) or _on(settings.get("stop")) or settings.get("pool")
                                  or settings.get("vmid")):
            raise param_error(vmid="property is missing")

    def _check_backup_storage(self, storage: str | None) -> None:
        if storage is None:
            return
        if storage not in self.storages:
            raise die(f"storage '{storage}' does not exist")
        if "backup" not in split_list(self.storages[storage].get("content")):
            raise die(f"can't use storage '{storage}' for backups - wrong content type")

    # ---------------------------------------------------------------- vzdump

    async def _vzdump(self, v, user):
        node, storage = v["node"], v.get("storage") or "local"
        self._check_selection(v, check_missing=True)
        self._check_backup_storage(storage)
        vmids = [int(x) for x in split_list(v.get("vmid"))] or sorted(
            vm.vmid for vm in self.vms if vm.node == node and int(vm.vmid) not in map(int, split_list(v.get("exclude"))))
        for vmid in vmids:
            guest = next((vm for vm in self.vms if vm.vmid == vmid), None)
            if guest is None:
                raise die(f"unable to find VM {vmid}")
            if guest.node != node:
                raise die(f"VM {vmid} is not on node '{node}' (it is on '{guest.node}'): start vzdump there")
        for vmid in vmids:  # PVE::API2::VZDump checks these itself: the path's permission is "all"
            self.require(user, f"/vms/{vmid}", "VM.Backup")
        self.require(user, f"/storage/{storage}", "Datastore.AllocateSpace")
        mode = v.get("mode") or "snapshot"

        async def body():
            for vmid in vmids:
                self._write_archive(node, storage, vmid, mode, v.get("compress"))
            return "INFO: Backup job finished successfully"
        return await self.task(node, "vzdump", vmids[0] if len(vmids) == 1 else "", user, body, lock=False,
                               log=[f"INFO: starting new backup job: vzdump {' '.join(map(str, vmids))} "
                                    f"--storage {storage} --mode {mode}"])

    def _write_archive(self, node: str, storage: str, vmid: int, mode: str, compress: str | None) -> None:
        vm = next(vm for vm in self.vms if vm.vmid == vmid)
        stamp = time.strftime("%Y_%m_%d-%H_%M_%S", time.gmtime())
        suffix = {"zstd": ".vma.zst", "gzip": ".vma.gz", "lzo": ".vma.lzo", "1": ".vma.lzo"}.get(compress or "0", ".vma")
        name = f"vzdump-qemu-{vmid}-{stamp}{suffix}"
        directory = Path(self.storages[storage]["path"]) / "dump"
        content = json.dumps({"vmid": vmid, "node": node, "mode": mode, "config": vm.config}, sort_keys=True)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(content)
        except OSError as exc:
            raise TaskError(f"unable to create backup archive '{directory / name}': {exc.strerror}") from None
        self.store_file(storage, name, len(content), content="backup")
        # As PVE lists a backup: its guest, its kind and its archive format.
        self.storages[storage]["volumes"][f"backup/{name}"].update(vmid=vmid, subtype="qemu",
                                                                   format=name.split(".", 1)[1])
        self.backup_archives.append({"volid": f"{storage}:backup/{name}", "vmid": vmid, "path": directory / name})

    @property
    def backup_archives(self) -> list[dict[str, Any]]:
        """Every archive a vzdump task wrote: volid, VMID and file."""
        return self.__dict__.setdefault("_backup_archives", [])

    def _purge_guest(self, vmid: int) -> None:
        """`qm destroy --purge`: the VMID leaves every backup job's list (a job left empty goes) and HA."""
        for job_id, job in list(self.backup_jobs.items()):
            members = [x for x in split_list(job.get("vmid")) if int(x) != vmid]
            if job.get("vmid") and not members:
                del self.backup_jobs[job_id]
            elif job.get("vmid"):
                job["vmid"] = ",".join(members)
        for sid in (f"vm:{vmid}", f"ct:{vmid}"):
            if sid in getattr(self, "ha_resources", {}):
                self._ha_forget(sid)

    async def _qm_destroy(self, v, user):
        upid = await super()._qm_destroy(v, user)
        vmid = int(v["vmid"])
        if v.get("purge") and not any(vm.vmid == vmid for vm in self.vms):
            self._purge_guest(vmid)
        return upid


def _on(value: Any) -> bool:
    return value not in (None, 0, "0", False, "")


def _normalised(settings: dict[str, Any]) -> dict[str, Any]:
    """As jobs.cfg holds a job: the VMID list comma-separated, without the empty values."""
    out = {k: val for k, val in settings.items() if val is not None}
    if out.get("vmid"):
        out["vmid"] = ",".join(split_list(out["vmid"]))
    return out
