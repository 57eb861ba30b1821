"""The streaming reader of PropertyCollector answers, on answers shaped like a real vCenter's.

The simulator never pages (it ignores maxObjects), so paging and faults are checked here on
answers written the way vCenter writes them.
"""

from __future__ import annotations

import gzip
import io

import pytest

from migrate.clients.vsphere.collector import Collector
from migrate.clients.vsphere.soap import PropertySpec, ResultReader, as_list, raise_fault, read_response
from migrate.errors import SourceAuthError, SourceProtocolError

ENVELOPE = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<soapenv:Body>{}</soapenv:Body></soapenv:Envelope>")


def page(names: list[str], token: str | None) -> bytes:
    objects = "".join(
        f'<objects><obj type="VirtualMachine">vm-{i}</obj>'
        f'<propSet><name>name</name><val xsi:type="xsd:string">{name}</val></propSet>'
        '<propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice">'
        '<VirtualDevice xsi:type="VirtualDisk"><key>2000</key><capacityInKB>1024</capacityInKB></VirtualDevice>'
        "</val></propSet></objects>"
        for i, name in enumerate(names)
    )
    token_xml = f"<token>{token}</token>" if token else ""
    body = f'<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>{token_xml}{objects}</returnval></RetrievePropertiesExResponse>'
    return ENVELOPE.format(body).encode()


class FakeResponse(io.BytesIO):
    """An http.client response: status, headers and a body read in chunks."""

    def __init__(self, body: bytes, status: int = 200, gzipped: bool = False) -> None:
        super().__init__(gzip.compress(body) if gzipped else body)
        self.status, self.reason = status, "OK"
        self.headers = {"Content-Encoding": "gzip"} if gzipped else {}

    def getheader(self, name: str) -> str | None:
        return self.headers.get(name)


def read_all(body: bytes, chunk: int = 7, gzipped: bool = False):
    reader = ResultReader()
    response = FakeResponse(body, gzipped=gzipped)
    objects = []
    while data := response.read(chunk):
        objects += list(reader.feed(data))
    objects += list(reader.close())
    return reader, objects


def test_reader_yields_every_object_and_the_continuation_token_in_tiny_chunks():
    reader, objects = read_all(page(["a", "b &amp; c"], token="t-1"))
    assert [o.props["name"] for o in objects] == ["a", "b & c"]
    assert reader.token == "t-1"
    device = as_list(objects[0].props["config.hardware.device"])[0]
    assert device == {"_type": "VirtualDisk", "key": "2000", "capacityInKB": "1024"}


def test_reader_reads_gzip_answers():
    reader = ResultReader()
    objects = list(read_response(FakeResponse(page(["zipped"], None), gzipped=True), reader))
    assert [o.props["name"] for o in objects] == ["zipped"]
    assert reader.token is None


def test_repeated_children_become_lists_and_single_ones_stay_values():
    from xml.etree.ElementTree import fromstring

    from migrate.clients.vsphere.soap import to_value

    value = to_value(fromstring('<x xmlns="urn:vim25"><ip>10.0.0.1</ip><ip>10.0.0.2</ip><one>1</one></x>'))
    assert value == {"ip": ["10.0.0.1", "10.0.0.2"], "one": "1"}
    assert as_list(value["one"]) == ["1"] and as_list(None) == []


def test_a_cut_answer_is_a_protocol_error():
    reader = ResultReader()
    body = page(["a"], None)
    with pytest.raises(SourceProtocolError):
        list(reader.feed(body[: len(body) // 2]))
        list(reader.close())


@pytest.mark.parametrize("fault, error, words", [
    ("NotAuthenticated", SourceAuthError, "ended the session"),
    ("InvalidProperty", SourceProtocolError, "does not know a property"),
    ("SystemError", SourceProtocolError, "SystemError"),
])
def test_faults_become_typed_errors(fault, error, words):
    body = ENVELOPE.format(
        "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>boom</faultstring>"
        f'<detail><{fault}Fault xmlns="urn:vim25" xsi:type="{fault}"></{fault}Fault></detail></soapenv:Fault>'
    ).encode()
    reader, _ = read_all(body)
    assert reader.fault is not None
    with pytest.raises(error, match=words):
        raise_fault(reader.fault, "vc.example.com")


class _Connection:
    class endpoint:  # noqa: N801  (stands in for VcenterEndpoint)
        name = "vc.example.com"

    class content:  # noqa: N801  (stands in for the ServiceContent)
        class propertyCollector:  # noqa: N801
            _moId = "propertyCollector"


class PagingCollector(Collector):
    """A Collector whose HTTP exchange answers from canned pages, recording each request."""

    def __init__(self, pages: list[bytes]) -> None:
        self.pages, self.requests, self.round_trips, self.page_size = list(pages), [], 0, 2
        self.connection = _Connection()
        self._http = None

    def _post(self, body: bytes):
        self.round_trips += 1
        self.requests.append(body)
        return FakeResponse(self.pages.pop(0))


def test_collector_follows_continuation_tokens_until_the_last_page():
    collector = PagingCollector([page(["a", "b"], "t-1"), page(["c", "d"], "t-2"), page(["e"], None)])
    objects = list(collector._retrieve("<objectSet/>", [PropertySpec("VirtualMachine", ("name",))]))
    assert [o.props["name"] for o in objects] == ["a", "b", "c", "d", "e"]
    assert collector.round_trips == 3
    assert b"<maxObjects>2</maxObjects>" in collector.requests[0]
    assert b"<ContinueRetrievePropertiesEx" in collector.requests[1] and b"<token>t-1</token>" in collector.requests[1]
    assert b"<token>t-2</token>" in collector.requests[2]
