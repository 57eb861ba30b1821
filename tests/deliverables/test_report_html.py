"""The management report opened in a real headless Chromium, offline: no console error, no request leaving the
file, every chart drawn with the marks its data has, and the key figures equal to the database's."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from migrate.db.models import VmRecord
from migrate.db.readiness_models import ReadinessResult, ReadinessRun
from migrate.db.session import make_engine, session_factory
from tests.support.browser import chromium, open_file
from tests.support.cli import run_cli

pytestmark = pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed (make test installs it)")


class _Marks(HTMLParser):
    """Per chart (`<figure data-chart=... data-marks=...>`): the marks it promises and the SVG marks it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.promised: dict[str, int] = {}
        self.drawn: Counter[str] = Counter()
        self.figures: dict[str, str] = {}
        self._figure: str | None = None
        self._value: tuple[str, str] | None = None
        self.links: list[str] = []  # every src and href: none may point anywhere

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.links += [attrs[key] for key in ("src", "href") if attrs.get(key)]
        if tag == "figure" and "data-chart" in attrs:
            self.promised[attrs["data-chart"]] = int(attrs["data-marks"])
        element_id = attrs.get("id") or ""
        if element_id.startswith("mark-"):
            self.drawn[element_id.split("-")[1]] += 1
        for key in ("data-figure", "data-verdict"):
            if key in attrs:
                self._value = (key, attrs[key])

    def handle_data(self, data):
        if self._value is not None and data.strip():
            self.figures[f"{self._value[0]}={self._value[1]}"] = data.strip()
            self._value = None


def check_report(html: Path, db_file: Path, screenshot: Path | None = None) -> None:
    opened = open_file(html, screenshot)
    assert opened.console == [], opened.console
    assert opened.requests == [], opened.requests
    marks = _Marks()
    marks.feed(opened.dom)
    assert {"verdicts", "os", "clusters"} <= set(marks.promised)
    for chart, promised in marks.promised.items():
        assert promised > 0 and marks.drawn[chart] == promised, (chart, promised, marks.drawn[chart])
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with session_factory(engine)() as session:
            vms = len(session.scalars(select(VmRecord.id).where(VmRecord.removed_run_id.is_(None))).all())
            run_id = session.scalar(select(ReadinessRun.id).order_by(ReadinessRun.id.desc()).limit(1))
            verdicts = Counter(session.scalars(select(ReadinessResult.verdict).where(ReadinessResult.run_id == run_id)))
    finally:
        engine.dispose()
    assert marks.figures["data-figure=vms"] == str(vms)
    for verdict, count in verdicts.items():
        assert marks.figures[f"data-verdict={verdict}"] == str(count), verdict
    assert marks.links == []  # nothing to fetch, even where fetching were allowed


def test_the_report_of_a_wave_covers_only_its_vms(tmp_path):
    from tests.factories import make_inventory, make_vm, store_inventory
    from migrate.db.session import upgrade

    db_file = tmp_path / "m.db"
    engine = make_engine(f"sqlite:///{db_file}")
    upgrade(engine)
    with session_factory(engine)() as session:
        store_inventory(session, make_inventory(make_vm("web-01"), make_vm("web-02"), make_vm("db-01")))
        session.commit()
    engine.dispose()
    db_url = f"sqlite:///{db_file}"
    assert run_cli("readiness", "--dir", str(tmp_path), db_url=db_url).exit_code == 0
    assert run_cli("wave", "create", "1", "--pattern", "web-*", db_url=db_url).exit_code == 0
    whole = run_cli("report", "--html", str(tmp_path / "all.html"), "--mappings", str(tmp_path), db_url=db_url)
    wave = run_cli("report", "--html", str(tmp_path / "w1.html"), "--wave", "1", "--mappings", str(tmp_path),
                   db_url=db_url)
    assert whole.exit_code == wave.exit_code == 0, whole.stderr + wave.stderr
    assert wave.stderr == f"wrote {tmp_path / 'w1.html'}: wave 1, 2 VMs\n"
    text = (tmp_path / "w1.html").read_text()
    assert '<b data-figure="vms">2</b>' in text and '<b data-figure="vms">3</b>' in (tmp_path / "all.html").read_text()
    check_report(tmp_path / "all.html", db_file)


def test_a_hostile_vm_name_is_text_in_the_report_not_markup(tmp_path):
    from tests.factories import make_inventory, make_vm, store_inventory
    from migrate.db.session import upgrade

    db_file = tmp_path / "m.db"
    engine = make_engine(f"sqlite:///{db_file}")
    upgrade(engine)
    with session_factory(engine)() as session:
        store_inventory(session, make_inventory(make_vm("x", cluster="<script>alert(1)</script>",
                                                        guest_full_name="</svg><img src=//evil/x>")))
        session.commit()
    engine.dispose()
    db_url = f"sqlite:///{db_file}"
    assert run_cli("readiness", "--dir", str(tmp_path), db_url=db_url).exit_code == 0
    assert run_cli("report", "--html", str(tmp_path / "r.html"), "--mappings", str(tmp_path), db_url=db_url).exit_code == 0
    text = (tmp_path / "r.html").read_text()
    assert "<script>" not in text and "<img" not in text
    check_report(tmp_path / "r.html", db_file)


class _Finalized(HTMLParser):
    """The text of each `data-finalize` cell of the report's "After cutover" section."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, str] = {}
        self._cell: str | None = None

    def handle_starttag(self, tag, attrs):
        self._cell = dict(attrs).get("data-finalize") or self._cell

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._cell:
            self.cells[self._cell] = self.cells.get(self._cell, "") + data


def test_the_report_shows_what_finalize_made_of_each_wave_from_its_journal(tmp_path):
    from lab.pve import start_simulated_target
    from migrate.db.session import upgrade
    from migrate.finalize import journal
    from migrate.finalize.model import Action, Change, Kind
    from tests.finalize.bed import build

    db_file = tmp_path / "m.db"
    db_url = f"sqlite:///{db_file}"
    engine = make_engine(db_url)
    upgrade(engine)
    html = tmp_path / "report.html"
    report = ("report", "--html", str(html), "--mappings", str(tmp_path))
    try:
        with start_simulated_target(tmp_path) as lab, session_factory(engine)() as session:
            build(session, lab)
            env = {"MIGRATE_PVE_TOKEN_SECRET": lab.secret}
            assert run_cli(*report, db_url=db_url).exit_code == 0
            assert 'id="finalize"' not in html.read_text()  # finalize has not run: no section
            lab.simulator.fail("POST", "/cluster/ha/rules", 500, "cfs lock 'domain-ha' timed out", times=1)
            args = ("finalize", "--wave", "1", "--backup-job", "daily", "--first-backup")
            assert run_cli(*args, db_url=db_url, env=env).exit_code == 4
            assert run_cli(*report, db_url=db_url).exit_code == 0
            failed = _Finalized()
            failed.feed(html.read_text())
            assert failed.cells["ha_rules"] == "none" and "1 change not made" in html.read_text()
            assert run_cli(*args, db_url=db_url, env=env).exit_code == 0
            archives = {a["vmid"]: a["volid"] for a in lab.simulator.backup_archives}
            # A retirement, journaled as `finalize --retire-sources` journals it (tests/finalize covers the vCenter).
            run_id = journal.begin(session, 1, {"retire": True})
            change = Change(Kind.RETIRE_SOURCE, Action.RENAME, "vm-42", ("web-01",),
                            {"moref": "vm-42", "name": "web-01 [migrated 2026-12-01]"})
            journal.change_ended(session, journal.change_started(session, run_id, 1, change))
            assert run_cli(*report, db_url=db_url).exit_code == 0
    finally:
        engine.dispose()
    check_report(html, db_file)
    text = html.read_text()
    finalized = _Finalized()
    finalized.feed(text)
    assert finalized.cells == {
        "ha_resources": "vm:1001 (sql-01), vm:1002 (sql-02)",
        "ha_rules": "drs-prod-sql-apart (sql-01, sql-02)",
        "backup_jobs": "daily: sql-01, sql-02, web-01",
        "first_backups": f"sql-01: {archives[1001]}; sql-02: {archives[1002]}; web-01: {archives[1003]}",
        "retired": "web-01: renamed to web-01 [migrated 2026-12-01] and noted",
    }
    assert "not made" not in text and '<h3 data-wave="1">Wave 1</h3>' in text


class _Rehearsals(HTMLParser):
    """Per VM, the text of its `data-rehearsal` cell in the report's progress table."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, str] = {}
        self._vm: str | None = None

    def handle_starttag(self, tag, attrs):
        self._vm = dict(attrs).get("data-rehearsal")

    def handle_data(self, data):
        if self._vm:
            self.cells[self._vm] = data
            self._vm = None


def test_the_report_shows_which_vms_passed_a_rehearsal_before_their_migration_begins(tmp_path):
    from tests.factories import make_inventory, make_vm, store_inventory
    from migrate.db.session import upgrade
    from migrate.execution import rehearsal_journal

    db_file = tmp_path / "m.db"
    db_url = f"sqlite:///{db_file}"
    engine = make_engine(db_url)
    upgrade(engine)
    with session_factory(engine)() as session:
        store_inventory(session, make_inventory(make_vm("web-01"), make_vm("web-02"), make_vm("db-01")))
        session.commit()
        ids = dict(session.execute(select(VmRecord.name, VmRecord.id)).all())
        for name, status, error in (("web-01", "failed", "the guest agent did not answer within 300 s"),
                                    ("web-01", "passed", None), ("web-02", "failed", "no bootable disk")):
            rehearsal = rehearsal_journal.begin(session, 1, ids[name], name, "pve1", 9000, f"test-{name}", {})
            rehearsal_journal.end(session, rehearsal, status, {}, error)
    engine.dispose()
    assert run_cli("readiness", "--dir", str(tmp_path), db_url=db_url).exit_code == 0
    assert run_cli("wave", "create", "1", "--pattern", "web-*", db_url=db_url).exit_code == 0
    html = tmp_path / "all.html"
    assert run_cli("report", "--html", str(html), "--mappings", str(tmp_path), db_url=db_url).exit_code == 0
    found = _Rehearsals()
    found.feed(html.read_text())
    assert found.cells == {"web-01": "passed", "web-02": "failed"}  # each VM's newest rehearsal; db-01 had none
    assert "<td>not started</td>" in html.read_text()
    check_report(html, db_file)
