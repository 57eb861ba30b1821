import csv
import io
import zipfile
from datetime import UTC, datetime

import pytest

from migrate.inventory.facts import RVTOOLS, Origin, rvtools_lacks
from migrate.inventory.model import Inventory
from migrate.mapping.model import TargetFacts
from migrate.readiness.assess import assess
from migrate.readiness.rule import Verdict
from migrate.reports import (
    FINDING_COLUMNS,
    VM_COLUMNS,
    summarize,
    write_findings_csv,
    write_readiness_csv,
    write_readiness_xlsx,
)
from migrate.reports.excel import excel_safe
from tests.readiness.factories import make_disk, make_mappings, make_vm

HOSTILE = "=HYPERLINK(\"http://evil\",\"x\")"


@pytest.fixture
def assessments():
    vms = [
        make_vm(),
        make_vm(name=HOSTILE, moref="vm-2", annotation="@SUM(1)", nics=[], disks=[make_disk(sharing="sharingMultiWriter", file_path="[ds1] a.vmdk")]),
        make_vm(
            name="-web", moref="vm-3", power_state="poweredOn", tools_running="guestToolsRunning", memory_mb=512, nics=[],
            disks=[make_disk(file_path="[ds1] web/web.vmdk")],
        ),
    ]
    return assess(Inventory("vc1.example.com", vms=vms), make_mappings(), TargetFacts())


def _read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_readiness_csv_has_the_issue_columns_and_one_row_per_vm(tmp_path, assessments):
    path = tmp_path / "readiness.csv"
    assert write_readiness_csv(assessments, path) == 3
    header, *rows = _read_csv(path)
    assert header == list(VM_COLUMNS)
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    hostile = by_name["'" + HOSTILE]
    assert (hostile["verdict"], hostile["blockers"], hostile["finding_ids"].split(";")[0]) == ("Not ready", "1", "DSK-06")
    assert by_name["'-web"]["memory_gb"] == "0.5" and by_name["app01"]["target_bridges"] == "vmbr0"
    assert by_name["app01"]["proxmox_ostype"] == "l26"


def test_findings_csv_has_one_row_per_finding_and_escapes_formulas(tmp_path, assessments):
    path = tmp_path / "findings.csv"
    count = write_findings_csv(assessments, path)
    header, *rows = _read_csv(path)
    assert header == list(FINDING_COLUMNS) and len(rows) == count == sum(len(a.findings) + len(a.unknowns) for a in assessments)
    assert all(not row[0].startswith(("=", "+", "-", "@")) for row in rows)
    assert ["'" + HOSTILE, "DSK-06", "blocker"] in [row[:3] for row in rows]


@pytest.mark.parametrize(("value", "safe"), [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("ok", "ok"), (-1, -1), (None, None)])
def test_excel_safe_escapes_text_that_looks_like_a_formula(value, safe):
    assert excel_safe(value) == safe


def test_the_maps_gaps_are_a_column_of_their_own_and_a_section_apart_from_the_verdicts(tmp_path):
    vms = [make_vm(), make_vm(name="dmz01", moref="vm-2", nics=[], disks=[make_disk(datastore="ds9", file_path="[ds9] d/d.vmdk")]),
           make_vm(name="dmz02", moref="vm-3", nics=[], disks=[make_disk(datastore="ds9", file_path="[ds9] e/e.vmdk")])]
    assessments = assess(Inventory("vc1.example.com", vms=vms), make_mappings(), TargetFacts())
    summary = summarize(assessments)
    assert [(u.name, u.vms) for u in summary.unmapped] == [("datastore ds9", ("dmz01", "dmz02"))]
    assert summary.verdicts[Verdict.NOT_READY] == 0 and summary.shown_verdicts == {Verdict.READY: 3}
    write_readiness_csv(assessments, tmp_path / "r.csv")
    header, *rows = _read_csv(tmp_path / "r.csv")
    assert {row[0]: row[header.index("unmapped")] for row in rows} == {"app01": "", "dmz01": "datastore ds9", "dmz02": "datastore ds9"}
    write_readiness_xlsx(assessments, tmp_path / "r.xlsx")
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        workbook, strings = archive.read("xl/workbook.xml").decode(), archive.read("xl/sharedStrings.xml").decode()
    assert 'name="Maps"' in workbook and "<t>datastore ds9</t>" in strings and "<t>dmz01, dmz02</t>" in strings


def test_xlsx_keeps_formula_like_names_as_text_and_states_the_rules_version(tmp_path, assessments):
    path = tmp_path / "readiness.xlsx"
    write_readiness_xlsx(assessments, path, source="vc1.example.com", generated_at=datetime(2026, 1, 2, tzinfo=UTC))
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        sheets = [archive.read(f"xl/worksheets/sheet{i}.xml").decode() for i in (1, 2, 3)]
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert all(f'name="{name}"' in workbook for name in ("VMs", "Findings", "Summary", "Maps"))
    assert not any("<f>" in sheet for sheet in sheets)
    assert "<t>=HYPERLINK(\"http://evil\",\"x\")</t>" in strings and "Rules version" in strings


def test_summary_counts_every_verdict_and_ranks_blockers(assessments):
    summary = summarize(assessments)
    assert summary.total == 3 and list(summary.verdicts) == list(Verdict)
    assert summary.verdicts[Verdict.NOT_READY] == 1 and sum(summary.verdicts.values()) == 3
    assert summary.top_blockers[0].rule_id == "DSK-06" and summary.top_blockers[0].vms == 1


def test_evidence_leaves_out_properties_without_a_value():
    from migrate.reports.rows import format_evidence

    text = format_evidence({"cluster.ha_enabled": None, "cluster.drs_enabled": True, "note": "", "models": ["a", "b"], "count": 0})
    assert text == "cluster.drs_enabled=True; models=a,b; count=0"


def test_the_workbook_states_the_source_of_the_facts_and_the_share_fully_assessed(tmp_path):
    vm = make_vm()
    origin = Origin(RVTOOLS, "RVTools_export_all.xlsx", "2026-11-30T09:00:00", rvtools_lacks(()))
    assessments = assess(Inventory("vc1.example.com", vms=[vm], origin=origin), make_mappings(), TargetFacts())
    write_readiness_xlsx(assessments, tmp_path / "r.xlsx", source="vc1.example.com", origin=origin)
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert "<t>RVTools export RVTools_export_all.xlsx of 2026-11-30T09:00:00</t>" in strings
    assert "<t>0 of 1 VM (0 %)</t>" in strings and "PCI passthrough devices" in strings
    assert summarize(assessments, origin=origin).verdicts[Verdict.UNKNOWN] == 1
