"""`migrate report --html`: the management report, one self-contained HTML file (inline CSS and SVG, no script,
no external fetch) that opens offline in any browser and prints well."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from markupsafe import Markup
from sqlalchemy.orm import Session

from migrate import __version__
from migrate.deliverables import charts
from migrate.deliverables.data import ReportData, collect
from migrate.files import replace_when_done, require_writable
from migrate.resources import data_dir
from migrate.runbook.render import duration

GIB = 2**30


def write_report(session: Session, path: Path, mappings_dir: Path, wave: int | None = None) -> ReportData:
    """Gather the figures and write the report to `path` (all at once: never half-written); the figures shown."""
    require_writable(path)
    data = collect(session, mappings_dir, wave)
    text = render(data)
    with replace_when_done(path) as scratch:
        scratch.write_text(text, encoding="utf-8")
    return data


def render(data: ReportData, written: datetime | None = None) -> str:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(data_dir("migrate.deliverables"))),
                                     autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters.update(gib=_gib, duration=duration)
    progress_counts = Counter(row.status for row in data.progress)
    return environment.get_template("report.html.j2").render(
        data=data, charts=_charts(data, progress_counts), progress_counts=progress_counts, version=__version__,
        written=(written or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"))


def _charts(data: ReportData, progress_counts: Counter) -> dict[str, Markup]:
    readiness = data.readiness
    made = {
        "verdicts": charts.bars("verdicts", [str(v) for v in readiness.verdicts], list(readiness.verdicts.values()),
                                colours=[charts.VERDICT_COLOURS[str(v)] for v in readiness.verdicts]),
        "blockers": charts.bars("blockers", [f"{b.rule_id} {b.title}" for b in data.blockers],
                                [b.vms for b in data.blockers], colours=["#c62828"] * len(data.blockers)),
        "os": charts.bars("os", list(data.os_mix), list(data.os_mix.values())),
        "clusters": charts.paired_bars("clusters", [f"{c.datacenter} / {c.cluster}" for c in data.clusters],
                                       [c.provisioned_bytes / GIB for c in data.clusters],
                                       [c.to_move_bytes / GIB for c in data.clusters], ("provisioned", "to move")),
        "capacity": charts.paired_bars("capacity", [f"{c.kind}: {c.name}" for c in data.capacity],
                                       [_share(c.used_now, c.total) for c in data.capacity],
                                       [_share(c.used_after, c.total) for c in data.capacity],
                                       ("now", "after the waves"), unit=" %"),
        "waves": charts.bars("waves", [f"wave {w.number}" for w in data.waves], [w.to_move_bytes / GIB for w in data.waves]),
        "progress": charts.bars("progress", list(progress_counts), list(progress_counts.values())),
    }
    return {name: Markup(svg) for name, svg in made.items()}  # matplotlib escapes the text it draws


def _share(part: int, total: int) -> float:
    return round(100 * part / total, 1) if total else 0.0


def _gib(size: int | float) -> str:
    return f"{size / GIB:,.1f} GiB" if size >= GIB or size == 0 else f"{size / 2**20:,.0f} MiB"

