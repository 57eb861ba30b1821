"""The SOAP the warm layer reads and writes: a call's method and arguments, DiskChangeInfo, vSphere's faults.

The fault bodies are those a vCenter sends (and pyvmomi turns into `vim.fault.FileFault`,
`vmodl.fault.InvalidArgument`, ...): a `faultstring` with vSphere's message and the fault object, typed with
`xsi:type`, in `detail`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
VIM = "urn:vim25"
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/'
         'soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/'
         '2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>')
_TAIL = "</soapenv:Body></soapenv:Envelope>"


@dataclass
class Call:
    method: str
    this: str  # the managed object's id
    arguments: dict[str, str] = field(default_factory=dict)  # each argument's text (a reference's id)
    element: ET.Element | None = None


def parse_call(body: bytes) -> Call | None:
    """The call in a SOAP request, or None when the body is not one."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    payload = root.find(f"{{{ENVELOPE}}}Body")
    if payload is None or len(payload) == 0:
        return None
    request = payload[0]
    method = request.tag.rpartition("}")[2]
    arguments = {child.tag.rpartition("}")[2]: (child.text or "") for child in request}
    return Call(method, arguments.pop("_this", ""), arguments, request)


def disk_change_info(method: str, start_offset: int, length: int, areas: list[tuple[int, int]]) -> bytes:
    extents = "".join(f"<changedArea><start>{s}</start><length>{e - s}</length></changedArea>" for s, e in areas)
    return (f'{_HEAD}<{method}Response xmlns="{VIM}"><returnval><startOffset>{start_offset}</startOffset>'
            f"<length>{length}</length>{extents}</returnval></{method}Response>{_TAIL}").encode()


def fault(kind: str, message: str, fields: dict[str, str] | None = None) -> bytes:
    """A SOAP fault of vSphere type `kind` (FileFault, InvalidArgument, NotFound...) with its fields."""
    members = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in (fields or {}).items())
    return (f"{_HEAD}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>{escape(message)}"
            f'</faultstring><detail><{kind}Fault xmlns="{VIM}" xsi:type="{kind}">{members}</{kind}Fault>'
            f"</detail></soapenv:Fault>{_TAIL}").encode()


def invalid_argument(name: str) -> bytes:
    return fault("InvalidArgument", f"A specified parameter was not correct: {name}", {"invalidProperty": name})


def file_fault(file: str) -> bytes:
    return fault("FileFault", f"Error caused by file {file}", {"file": file})


def not_found(message: str) -> bytes:
    return fault("NotFound", message)


def task_answer(method: str, task: str) -> bytes:
    """The answer to a `_Task` call: the task's reference."""
    return (f'{_HEAD}<{method}Response xmlns="{VIM}"><returnval type="Task">{task}</returnval></{method}Response>'
            f"{_TAIL}").encode()


def task_error(kind: str, message: str, fields: dict[str, str] | None = None) -> bytes:
    """A task's `error` (a LocalizedMethodFault) holding a fault of vSphere type `kind` with its fields."""
    members = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in (fields or {}).items())
    return (f'<error><fault xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" '
            f'XMLSchema-instance:type="{kind}">{members}</fault><localizedMessage>{escape(message)}'
            f"</localizedMessage></error>").encode()


def file_locked(file: str) -> bytes:
    """The error of a task that could not write a locked disk file (a consolidation, say)."""
    return task_error("FileLocked", f"Unable to access file {file} since it is locked", {"file": file})
