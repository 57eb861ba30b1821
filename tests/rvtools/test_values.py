from datetime import datetime

import pytest

from migrate.discovery.rvtools import values
from migrate.discovery.rvtools.values import BadValue


@pytest.mark.parametrize(
    "cell, expected",
    [("True", True), ("False", False), (True, True), (False, False), ("TRUE", True), ("true", True),
     ("Yes", True), ("No", False), (None, None), ("", None)],
)
def test_boolean_accepts_every_spelling_rvtools_writes(cell, expected):
    assert values.boolean(cell) is expected


@pytest.mark.parametrize("cell", ["maybe", 2, "Tru"])
def test_boolean_rejects_other_values(cell):
    with pytest.raises(BadValue):
        values.boolean(cell)


@pytest.mark.parametrize("cell, expected", [(2048, 2048), ("2048", 2048), (2048.0, 2048), ("2048,0", 2048),
                                            (None, None), (" ", None)])
def test_integer_reads_numbers_and_their_text(cell, expected):
    assert values.integer(cell) == expected


@pytest.mark.parametrize("cell", ["12.5", "four", True])
def test_integer_rejects_fractions_and_words(cell):
    with pytest.raises(BadValue):
        values.integer(cell)


def test_decimal_comma_is_a_decimal_point():
    assert values.number("1,5") == 1.5
    assert values.mib_to_bytes("0,5") == 512 * 1024


def test_mib_means_binary_mebibytes():
    assert values.mib_to_bytes(1024) == 1024**3


@pytest.mark.parametrize(
    "cell, expected",
    [(datetime(2024, 1, 24, 10, 15, 0), "2024-01-24T10:15:00"),
     ("1/15/2020 7:54:19 AM", "2020-01-15T07:54:19"),
     ("15/01/2020 07:54:19", "2020-01-15T07:54:19"),
     ("15.01.2020 07:54:19", "2020-01-15T07:54:19"),
     ("2020-01-15 07:54:19", "2020-01-15T07:54:19")],
)
def test_timestamp_reads_excel_dates_and_locale_strings(cell, expected):
    assert values.timestamp(cell) == expected


@pytest.mark.parametrize("cell", [datetime(1970, 1, 1, 1, 0), datetime(1969, 12, 31, 22, 0), "1/1/1970 1:00:00 AM"])
def test_epoch_dates_mean_unknown(cell):
    assert values.timestamp(cell) is None


def test_timestamp_rejects_text_that_is_no_date():
    with pytest.raises(BadValue):
        values.timestamp("last Tuesday")


def test_unescape_name_undoes_vsphere_escaping_once():
    assert values.unescape_name("VM Snapshot 24%2f1%2f2024, 1") == "VM Snapshot 24/1/2024, 1"
    assert values.unescape_name("a%5cb 100%25 %252f") == "a\\b 100% %2f"


@pytest.mark.parametrize("cell, expected", [("8", "vmx-08"), ("21", "vmx-21"), ("vmx-8", "vmx-08"),
                                            ("vmx-08", "vmx-08"), ("vmx-21", "vmx-21"), (None, None),
                                            ("unknown", "unknown")])
def test_hardware_version_is_spelled_as_vsphere_spells_it(cell, expected):
    assert values.vmx_version(cell) == expected
