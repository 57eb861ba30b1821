"""Typed errors of the library, each carrying the exit code the CLI turns it into.

The CLI maps these to a one-line message and an exit code in exactly one place
(`migrate.cli.main`). A message names the object and the fix.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the `migrate` command, documented in the README."""

    OK = 0
    ERROR = 1
    USAGE = 2
    BLOCKERS = 3
    STEP_FAILED = 4
    UNREACHABLE = 5
    AUTH = 6
    DATABASE = 7
    INTERRUPTED = 130


class MigrateError(Exception):
    """Base of every error the library raises on purpose.

    `transient`: the cause may go away by itself (a dropped connection, a request that timed out), so the
    engine runs the failed step again, a few times, within the same run. Never auth, TLS, permission or
    usage errors: asking again gets the same answer.
    """

    exit_code: ExitCode = ExitCode.ERROR
    transient: bool = False


class UsageError(MigrateError):
    """The command was given options that cannot work together or a value it cannot use."""

    exit_code = ExitCode.USAGE


class DatabaseError(MigrateError):
    """The inventory database cannot be opened, is at the wrong schema revision, or refused a write."""

    exit_code = ExitCode.DATABASE


class NotFoundError(MigrateError):
    """A named object (VM, source, run) is not in the inventory."""

    exit_code = ExitCode.ERROR


class SourceUnreachableError(MigrateError):
    """The vCenter could not be reached, or the connection was lost."""

    exit_code = ExitCode.UNREACHABLE
    transient = True


class SourceTlsError(SourceUnreachableError):
    """The vCenter's certificate could not be verified."""

    transient = False


class SourceAuthError(MigrateError):
    """The vCenter rejected the credentials or the session."""

    exit_code = ExitCode.AUTH


class SourceSessionLostError(SourceAuthError):
    """The vCenter session ended (idle timeout, terminated by an administrator): logging in again may help."""

    transient = True


class SourceProtocolError(MigrateError):
    """The vCenter answered something the toolkit cannot read (a SOAP fault, a malformed answer)."""

    exit_code = ExitCode.ERROR


class ChangeIdInvalidError(SourceProtocolError):
    """A change id that vSphere no longer knows (change tracking was reset): the disk must be copied whole."""


class ChangeTrackingOffError(SourceProtocolError):
    """A disk without changed block tracking at the snapshot asked about."""


def transient_http_status(status: int) -> bool:
    """Whether an HTTP error status may go away by itself: a server error (5xx) or 429 "too many requests".

    Any other 4xx (not found, bad request; 401 and 403 are the session's or the role's) gets the same answer again.
    """
    return status >= 500 or status == 429


def datastore_http_fix(status: int) -> str:
    """What to do about an HTTP error status from the vCenter's datastore file API, for the end of a message."""
    if transient_http_status(status):
        return "check the vCenter and the host serving the datastore, then run again"
    return "check the file on the datastore and the role's Datastore.Browse"


class SourceHttpError(SourceProtocolError):
    """The vCenter's datastore file API answered an HTTP error status; transient for a 5xx or a 429."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status
        self.transient = transient_http_status(status)


class InputFileError(MigrateError):
    """An input file (RVTools export, mapping, CSV) is malformed; the message names file, place and fix."""

    exit_code = ExitCode.USAGE


class MissingColumnError(InputFileError):
    """A sheet of an input file lacks a column it needs; `sheet` and `column` name them."""

    def __init__(self, message: str, sheet: str, column: str) -> None:
        super().__init__(message)
        self.sheet = sheet
        self.column = column


class MappingFileError(InputFileError):
    """A mapping file (mappings/*.yaml) is malformed: the message starts with file:line:column and says the fix."""


class StepFailedError(MigrateError):
    """A migration step failed; the journal records where, and `migrate run` resumes from there."""

    exit_code = ExitCode.STEP_FAILED


class PreflightError(MigrateError):
    """A VM's migration would go wrong if it started now (a missing bridge, a MAC in use, a source snapshot)."""

    exit_code = ExitCode.STEP_FAILED


class StalePlanError(PreflightError):
    """The source changed after planning (a disk added, removed or resized): the plan no longer describes it."""


class TargetUnreachableError(MigrateError):
    """The Proxmox API could not be reached, or it did not answer in time."""

    exit_code = ExitCode.UNREACHABLE
    transient = True


class TargetTlsError(TargetUnreachableError):
    """The Proxmox API's certificate could not be verified."""

    transient = False


class TargetAuthError(MigrateError):
    """The Proxmox API rejected the API token."""

    exit_code = ExitCode.AUTH


class TargetApiError(MigrateError):
    """The Proxmox API refused a request or answered something the toolkit cannot read."""

    exit_code = ExitCode.ERROR


class NotOursError(TargetApiError):
    """A target VM the toolkit would adopt, stop or destroy is not proven its own (a clone, a stranger at its VMID):
    it is left alone."""


class WaveError(UsageError):
    """A wave cannot be created as asked (a VM already in another wave, an empty selection, a bad CSV)."""


class BlockersFound(MigrateError):
    """The output (already written) lists blockers: landing-zone blockers, or VMs a plan had to leave out."""

    exit_code = ExitCode.BLOCKERS


class NodeUnreachableError(MigrateError):
    """A Proxmox node's SSH service could not be reached, or the connection to it was lost."""

    exit_code = ExitCode.UNREACHABLE
    transient = True


class NodeConnectionLostError(NodeUnreachableError):
    """The SSH connection to a node dropped while a command was running; its outcome is unknown."""


class NodeHostKeyError(MigrateError):
    """A node's SSH host key is unknown or does not match known_hosts: the connection was refused."""

    exit_code = ExitCode.AUTH


class NodeAuthError(MigrateError):
    """A node refused the SSH key."""

    exit_code = ExitCode.AUTH


class DiskCopyError(MigrateError):
    """Copying a disk on the node failed (qemu-img failed, the target is missing or too small, a mismatch)."""

    exit_code = ExitCode.STEP_FAILED


class DiskCopyStalledError(DiskCopyError):
    """A disk copy made no progress for longer than its watchdog allows, and was stopped.

    Transient: a stall is most often a network hiccup between the node and the source, so the copy is tried
    again (as a retry, into the same volume) within the engine's attempts.
    """

    transient = True


class DiskCopyHttpError(DiskCopyError):
    """qemu-img on the node failed because the source's datastore file API answered an HTTP error status;
    transient for a 5xx or a 429 (the engine tries the copy again), not for another 4xx."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status
        self.transient = transient_http_status(status)


class NodeCommandTimeoutError(MigrateError, TimeoutError):
    """A command on a node ran past its time limit, or wrote nothing for too long, and was left."""

    exit_code = ExitCode.STEP_FAILED


class ConversionError(MigrateError):
    """Converting a guest on the node (virt-v2v-in-place) failed or timed out; its volumes were put back as they
    were before the step, the VM was not started, and the message names the log on the node."""

    exit_code = ExitCode.STEP_FAILED


class ConversionBusyError(ConversionError):
    """Another conversion of the same VM still runs on the node (an earlier attempt's, until its time limit ends
    it): transient, tried again after the engine's backoff."""

    transient = True
