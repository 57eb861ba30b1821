"""An optional tab whose header is not RVTools' own is read as missing, said in one warning and in the provenance."""

from __future__ import annotations

from sqlalchemy import select

from migrate.db.models import DiscoveryRun
from migrate.db.session import make_engine, session_factory
from migrate.discovery.rvtools import read_rvtools
from tests.rvtools.rvtools_helpers import write_workbook
from tests.rvtools.test_bad_input import _import_fails
from tests.support.cli import run_cli

GENERATED_CLUSTER = (["Cluster", "TotalCpu"], [{"Cluster": "Cluster1", "TotalCpu": 64000}])


def _workbook(tmp_path, **tabs):
    return write_workbook(tmp_path / "generated.xlsx", {"vInfo": (["VM"], [{"VM": "web01"}]), **tabs})


def test_an_optional_tab_with_a_foreign_header_is_read_as_missing(tmp_path):
    warnings: list[str] = []
    export = read_rvtools(_workbook(tmp_path, vCluster=GENERATED_CLUSTER), warn=warnings.append)
    assert [vm.name for vm in export.inventory.vms] == ["web01"] and export.inventory.clusters == []
    assert warnings == ["generated.xlsx: sheet vCluster has no column 'Name', so its header is not RVTools' own: "
                        "it is read as if missing"]
    assert "vCluster" in export.provenance["tabs_missing"] and "vCluster" not in export.provenance["tabs_read"]
    assert export.provenance["tabs_ignored"] == {"vCluster": "no column 'Name', so its header is not RVTools' own"}


def test_vinfo_without_its_columns_is_still_refused(session, tmp_path):
    path = write_workbook(tmp_path / "generated.xlsx", {"vInfo": (["Name"], [{"Name": "web01"}])})
    assert "sheet vInfo has no column 'VM' (row 1)" in _import_fails(session, path)


def test_discover_warns_in_one_line_and_records_the_ignored_tab(db_url, tmp_path):
    path = _workbook(tmp_path, vCluster=GENERATED_CLUSTER, vDatastore=(["Datastore"], [{"Datastore": "ds1"}]))
    result = run_cli("--quiet", "discover", "--rvtools", str(path), db_url=db_url)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "migrate: warning: generated.xlsx: sheet vCluster has no column 'Name', so its header is not RVTools' own: "
        "it is read as if missing",
        "migrate: warning: generated.xlsx: sheet vDatastore has no column 'Name', so its header is not RVTools' own: "
        "it is read as if missing",
    ]
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            provenance = session.scalars(select(DiscoveryRun.provenance)).one()
    finally:
        engine.dispose()
    assert set(provenance["tabs_ignored"]) == {"vCluster", "vDatastore"}
