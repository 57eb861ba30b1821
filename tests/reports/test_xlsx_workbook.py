"""The readiness workbook read back with openpyxl, as an engineer's Excel would open it."""

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from migrate import __version__
from migrate.inventory.facts import RVTOOLS, Origin, rvtools_lacks
from migrate.inventory.model import Inventory
from migrate.mapping.model import TargetFacts
from migrate.readiness.assess import assess
from migrate.readiness.rules import ALL_RULES
from migrate.reports import write_readiness_csv, write_readiness_xlsx
from migrate.reports.excel import excel_safe
from migrate.reports.xlsx_layout import DATE_FORMAT, GIB_FORMAT, MAX_WIDTH
from migrate.waves.store import WaveMember
from tests.readiness.factories import make_disk, make_mappings, make_vm

GIB = 1024**3
GENERATED = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
ORIGIN = Origin(RVTOOLS, "RVTools_export_all.xlsx", "2026-11-30T09:00:00", rvtools_lacks(()))


@pytest.fixture
def assessments():
    vms = [
        make_vm(custom_attributes={"Owner": "Ann Smith", "Application": "billing"}),
        make_vm(name="db01", moref="vm-2", cluster="CL2", guest_full_name="Microsoft Windows Server 2019 (64-bit)",
                nics=[], disks=[make_disk(sharing="sharingMultiWriter", file_path="[ds1] db/db.vmdk", capacity_bytes=15 * GIB // 2,
                                          committed_bytes=None)]),
        make_vm(name="=HYPERLINK(\"http://evil\",\"x\")", moref="vm-3", cluster="CL2", nics=[],
                annotation="x" * 200, disks=[make_disk(datastore="ds9", file_path="[ds9] e/e.vmdk")],
                custom_attributes={"Owner": "Bob"}),
    ]
    return assess(Inventory("vc1.example.com", vms=vms, origin=ORIGIN), make_mappings(), TargetFacts())


@pytest.fixture
def workbook(tmp_path, assessments):
    waves = [WaveMember(1, "billing", "app01", "selected", "app01-pve", "pve1", 2, "Ann Smith", "call before")]
    write_readiness_xlsx(assessments, tmp_path / "r.xlsx", source="vc1.example.com", generated_at=GENERATED,
                         origin=ORIGIN, waves=waves)
    return openpyxl.load_workbook(tmp_path / "r.xlsx")


@pytest.fixture
def csv_rows(tmp_path, assessments):
    write_readiness_csv(assessments, tmp_path / "r.csv")
    return list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"), newline="")))


def _cells(workbook, reference):
    """The values a chart reference such as `Summary!$A$19:$A$20` points at."""
    sheet, cells = reference.split("!")
    columns_from, rows_from, columns_to, rows_to = range_boundaries(cells.replace("$", ""))
    rows = workbook[sheet.strip("'")].iter_rows(min_row=rows_from, max_row=rows_to, min_col=columns_from, max_col=columns_to, values_only=True)
    return [value for row in rows for value in row]


def _width(sheet, column):
    """The width of a column: openpyxl files adjacent columns of one width under the first one's letter."""
    return next(d.width for d in sheet.column_dimensions.values() if d.min <= column <= d.max)


def _table(sheet):
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_summary_comes_first_and_the_legend_last(workbook):
    assert workbook.sheetnames == ["Summary", "VMs", "Findings", "Maps", "Waves", "Legend"]


def test_the_summary_charts_read_the_tables_that_hold_the_csv_figures(workbook, csv_rows):
    charts = {chart.title.tx.rich.p[0].r[0].t: chart for chart in workbook["Summary"]._charts}
    assert list(charts) == ["VMs per verdict", "VMs blocked, by rule", "VMs per guest OS", "Size per cluster (GiB)"]

    def series(title):
        return [(_cells(workbook, s.tx.strRef.f), _cells(workbook, s.cat.strRef.f), _cells(workbook, s.val.numRef.f))
                for s in charts[title].series]

    verdicts = {row["verdict"]: sum(1 for r in csv_rows if r["verdict"] == row["verdict"]) for row in csv_rows}
    [(name, categories, values)] = series("VMs per verdict")
    assert charts["VMs per verdict"].tagname == "pieChart" and name == ["VMs"]
    assert dict(zip(categories, values, strict=True)) == verdicts
    [(_, categories, values)] = series("VMs blocked, by rule")
    assert categories == ["DSK-06 Shared or multi-writer disk"] and values == [1]
    [(_, categories, values)] = series("VMs per guest OS")
    assert dict(zip(categories, values, strict=True)) == {"Red Hat Enterprise Linux 8 (64-bit)": 2, "Microsoft Windows Server 2019 (64-bit)": 1}
    (provisioned_name, clusters, provisioned), (to_move_name, _, to_move) = series("Size per cluster (GiB)")
    assert (provisioned_name, to_move_name, clusters) == (["Provisioned (GiB)"], ["To move (GiB)"], ["CL1", "CL2"])
    for cluster, size in zip(clusters, provisioned, strict=True):
        assert round(size) == sum(int(r["provisioned_gb"]) for r in csv_rows if r["cluster"] == cluster)
    assert len(to_move) == 2


def test_the_summary_states_the_source_the_date_and_the_totals(workbook, csv_rows):
    lines = {row[0]: row[1] for row in workbook["Summary"].iter_rows(max_col=2, values_only=True) if row[0]}
    assert lines["Facts from"] == "RVTools export RVTools_export_all.xlsx of 2026-11-30T09:00:00"
    assert lines["Generated (UTC)"] == GENERATED.replace(tzinfo=None) and lines["Tool version"] == f"migrate {__version__}"
    assert lines["VMs"] == len(csv_rows) == 3
    assert round(lines["Provisioned (GiB)"]) == sum(int(r["provisioned_gb"]) for r in csv_rows)
    generated = next(row[1] for row in workbook["Summary"].iter_rows(max_col=2) if row[0].value == "Generated (UTC)")
    assert generated.number_format == DATE_FORMAT


def test_the_vms_sheet_has_the_csv_figures_under_human_headers_with_the_custom_attributes(workbook, csv_rows):
    sheet = workbook["VMs"]
    rows = _table(sheet)
    assert list(rows[0])[:3] == ["VM", "Datacenter", "Cluster"] and list(rows[0])[-2:] == ["Application", "Owner"]
    assert "provisioned_gb" not in rows[0] and "Provisioned (GiB)" in rows[0]
    assert [excel_safe(row["VM"]) for row in rows] == [row["vm"] for row in csv_rows]  # the CSV escapes formulas
    assert [row["Verdict"] for row in rows] == [row["verdict"] for row in csv_rows]
    assert [round(row["Provisioned (GiB)"]) for row in rows] == [int(row["provisioned_gb"]) for row in csv_rows]
    by_name = {row["VM"]: row for row in rows}
    assert by_name["db01"]["Findings (rule and title; see the Legend)"].startswith("DSK-06 Shared or multi-writer disk")
    assert by_name["db01"]["Provisioned (GiB)"] == 7.5  # unrounded in the workbook, one decimal shown
    assert (by_name["app01"]["Owner"], by_name["app01"]["Application"], by_name["db01"]["Owner"]) == ("Ann Smith", "billing", None)
    assert by_name["=HYPERLINK(\"http://evil\",\"x\")"]["Owner"] == "Bob"
    column = list(rows[0]).index("Provisioned (GiB)") + 1
    assert sheet.cell(2, column).number_format == GIB_FORMAT
    assert sheet.cell(2, list(rows[0]).index("Findings (rule and title; see the Legend)") + 1).alignment.wrap_text
    assert sheet.tables["VMs"].ref.startswith("A1:") and sheet.freeze_panes == "B2"


def test_every_csv_column_has_a_human_header_in_the_same_order():
    from migrate.reports import FINDING_COLUMNS, VM_COLUMNS
    from migrate.reports.xlsx_report import FINDING_SHEET_COLUMNS, VM_SHEET_COLUMNS

    assert tuple(VM_SHEET_COLUMNS) == VM_COLUMNS and tuple(FINDING_SHEET_COLUMNS) == FINDING_COLUMNS
    assert all(column.header != name for name, column in VM_SHEET_COLUMNS.items())


def test_long_text_wraps_in_a_column_fitted_to_its_content(workbook):
    sheet = workbook["Findings"]
    header = [cell.value for cell in sheet[1]]
    widths = {name: _width(sheet, index + 1) for index, name in enumerate(header)}
    longest_rule = max(len(row[1].value) for row in sheet.iter_rows(min_row=2))
    assert longest_rule + 2 <= widths["Rule"] < 15 and MAX_WIDTH - 1 <= widths["Remedy"] <= MAX_WIDTH + 1
    remedy = sheet.cell(2, header.index("Remedy") + 1)
    assert len(remedy.value) > MAX_WIDTH and remedy.alignment.wrap_text


def test_every_data_sheet_prints_landscape_one_page_wide_with_its_header_on_each_page(workbook):
    for name in ("VMs", "Findings", "Maps", "Waves", "Legend"):
        sheet = workbook[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and (sheet.page_setup.fitToWidth or 1) == 1
        assert sheet.page_setup.fitToHeight == 0 and sheet.print_title_rows == "$1:$1", name


def test_the_document_properties_name_the_title_source_date_and_tool_version(workbook):
    properties = workbook.properties
    assert properties.title == "Readiness of vc1.example.com" and properties.created == GENERATED.replace(tzinfo=None)
    assert "RVTools_export_all.xlsx" in properties.subject
    custom = {prop.name: prop.value for prop in workbook.custom_doc_props.props}
    assert custom == {"Source": "vc1.example.com", "Facts from": "RVTools export RVTools_export_all.xlsx of 2026-11-30T09:00:00",
                      "Tool version": __version__}


def test_the_legend_explains_every_verdict_and_every_rule_with_its_remedy(workbook):
    rows = list(workbook["Legend"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:5]] == ["Not ready", "Ready with conditions", "Unknown", "Ready"]
    rules = {row[0]: row for row in rows[6:]}
    assert set(rules) - {"Rule"} == {loaded.rule.id for loaded in ALL_RULES}
    assert rules["DSK-06"][1:4] == ("Shared or multi-writer disk", "blocker", next(l.rule.remedy for l in ALL_RULES if l.rule.id == "DSK-06"))


def test_the_waves_and_maps_sheets_list_the_wave_document_and_the_mapping_gaps(workbook):
    [wave] = _table(workbook["Waves"])
    assert (wave["Wave"], wave["VM"], wave["Owner"], wave["Notes"], wave["Cutover order"]) == (1, "app01", "Ann Smith", "call before", 2)
    [gap] = _table(workbook["Maps"])
    assert gap == {"Not mapped": "datastore ds9", "VMs": 1, "VM names": "=HYPERLINK(\"http://evil\",\"x\")"}


def test_formula_like_names_stay_text_in_every_sheet(workbook):
    for sheet in workbook:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    assert workbook["VMs"]["A3"].value == "=HYPERLINK(\"http://evil\",\"x\")"
