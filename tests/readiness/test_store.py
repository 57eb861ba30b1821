from alembic import command
from sqlalchemy.orm import Session

from migrate.db.readiness_models import ReadinessResult, ReadinessRun
from migrate.db.session import alembic_config, make_engine, upgrade
from migrate.inventory.model import Inventory
from migrate.mapping.model import TargetFacts
from migrate.readiness.assess import assess
from migrate.readiness.rules import RULES_VERSION
from migrate.readiness.store import save_assessments
from tests.readiness.factories import make_disk, make_mappings, make_vm


def test_models_match_the_schema_revisions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    command.check(alembic_config(engine))  # raises on drift


def test_revision_0002_downgrades_cleanly(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0001")
    with engine.connect() as connection:
        tables = {row[0] for row in connection.exec_driver_sql("select name from sqlite_master where type='table'")}
    assert "readiness_runs" not in tables and "sources" in tables


def test_saved_results_carry_the_rules_version_and_findings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    debian = {"guest_id": "debian12_64Guest", "guest_full_name": "Debian GNU/Linux 12 (64-bit)"}
    vms = [make_vm(), make_vm(name="db", moref="vm-2", nics=[], disks=[make_disk(sharing="sharingMultiWriter", file_path="[ds1] db.vmdk")], **debian)]
    assessments = assess(Inventory("vc1.example.com", vms=vms), make_mappings(), TargetFacts())
    with Session(engine) as session, session.begin():
        save_assessments(session, "vc1.example.com", assessments)
    with Session(engine) as session:
        run = session.query(ReadinessRun).one()
        assert run.rules_version == RULES_VERSION and run.counts == {"Ready": 1, "Not ready": 1}
        blocked = session.query(ReadinessResult).filter_by(vm_name="db").one()
        assert blocked.verdict == "Not ready" and blocked.findings[0]["rule_id"] == "DSK-06" and blocked.findings[0]["severity"] == "blocker"
        assert blocked.config["scsihw"] == "virtio-scsi-single"


def test_the_maps_gaps_are_stored_apart_from_the_verdict_and_revision_0006_downgrades(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assessments = assess(Inventory("vc1.example.com", vms=[make_vm(disks=[make_disk(datastore="ds9")])]), make_mappings(), TargetFacts())
    with Session(engine) as session, session.begin():
        save_assessments(session, "vc1.example.com", assessments)
    with Session(engine) as session:
        result = session.query(ReadinessResult).one()
        assert result.verdict == "Ready" and [m["rule_id"] for m in result.maps] == ["DSK-17"]
        assert session.query(ReadinessRun).one().origin == {"fully_assessed": 1}
        assert result.maps[0]["evidence"] == {"datastore": "ds9"} and result.maps[0]["severity"] == "blocker"
    command.downgrade(alembic_config(engine), "0005")
    with engine.connect() as connection:
        columns = {row[1] for row in connection.exec_driver_sql("pragma table_info(readiness_results)")}
    assert "maps" not in columns and "findings" in columns
