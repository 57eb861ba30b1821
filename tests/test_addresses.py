"""Every address a user types is read by one function: the same forms and the same one-line errors everywhere."""

from __future__ import annotations

import pytest

from migrate.addresses import host_and_port
from migrate.errors import UsageError


@pytest.mark.parametrize("value, expected", [
    ("vc.example.com", ("vc.example.com", 443)),
    ("vc.example.com:8443", ("vc.example.com", 8443)),
    ("https://vc.example.com:444/sdk", ("vc.example.com", 444)),
    ("[fd00::5]:2222", ("fd00::5", 2222)),
    ("[fd00::5]", ("fd00::5", 443)),
    ("fd00::5", ("fd00::5", 443)),
])
def test_host_and_port_reads_names_ports_and_ipv6(value, expected):
    assert host_and_port(value, 443, "--vcenter") == expected


@pytest.mark.parametrize("value, message", [
    ("vc:0", "--vcenter 'vc:0': the port must be a number from 1 to 65535"),
    ("vc:http", "--vcenter 'vc:http': the port must be a number from 1 to 65535"),
    (":443", "--vcenter ':443' names no host"),
])
def test_a_bad_address_is_one_line_naming_the_option(value, message):
    with pytest.raises(UsageError) as raised:
        host_and_port(value, 443, "--vcenter")
    assert str(raised.value) == message
