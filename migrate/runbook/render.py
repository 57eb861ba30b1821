"""Render a wave's runbook from its plan with the Jinja2 templates of `runbooks/`.

Undefined names fail loudly (StrictUndefined): a template typo must never print an empty step that an
operator would follow. Text from the inventory is escaped for Markdown (`migrate.runbook.markdown`): in table
cells, headings and prose it renders literally, and commands sit in code spans that survive backticks.
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import jinja2

from migrate.errors import UsageError
from migrate.planning.model import Plan
from migrate.planning.schedule import plan_seconds
from migrate.planning.throughput import Throughput
from migrate.resources import data_dir
from migrate.runbook.addresses import known_addresses
from migrate.runbook.markdown import code_span, inline, markdown_cell, text
from migrate.runbook.timeline import timeline
from migrate.waves.policy import StopPolicy
from migrate.words import counted, size_text

__all__ = ["code_span", "inline", "markdown_cell", "render_runbook", "text"]

RUNBOOK_DIR = data_dir("migrate.runbooks")
TEMPLATE = "wave.md.j2"


def render_runbook(plan: Plan, version: int, digest: str, templates: str | Path = RUNBOOK_DIR,
                   policy: StopPolicy = StopPolicy(), window_start: datetime | None = None) -> str:
    """The Markdown runbook of `plan` (version `version` of its wave), whose sources are stopped by `policy`;
    its timeline gives clock times from `window_start`, else offsets from the wave's start (T+0)."""
    environment = _environment(Path(templates))
    try:
        template = environment.get_template(TEMPLATE)
        return template.render(plan=plan, version=version, digest=digest, policy=policy, timeline=timeline(plan, window_start),
                               addresses={vm.vm_key: known_addresses(vm) for vm in plan.vms}, **_facts(plan))
    except jinja2.TemplateNotFound as exc:
        raise UsageError(f"runbook template {exc.name} not found in {templates}") from None
    except (jinja2.TemplateSyntaxError, jinja2.UndefinedError) as exc:
        raise UsageError(f"runbook template in {templates} is broken: {exc}") from None


def _environment(templates: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates), undefined=jinja2.StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    environment.filters.update(cell=markdown_cell, inline=inline, text=text, gib=size_text, duration=duration,
                               shell=shlex.quote, code=code_span, counted=counted)
    return environment


def _facts(plan: Plan) -> dict:
    """Figures the template shows that are sums over the plan."""
    storages: dict[tuple[str, str], int] = defaultdict(int)  # (storage, node or "" when shared) -> bytes
    networks = set()
    for vm in plan.vms:
        for disk in vm.disks:
            storages[(disk.storage, "" if disk.shared else vm.node)] += disk.size_bytes
        for nic in vm.nics:
            networks.add(nic.bridge + (f" VLAN {nic.vlan}" if nic.vlan else ""))
    return {
        "storages": [{"name": name, "node": node, "bytes": size} for (name, node), size in sorted(storages.items())],
        "networks": sorted(networks),
        "longest_downtime": max((vm.downtime_seconds for vm in plan.vms), default=0),
        "estimated_count": sum(1 for vm in plan.vms if vm.transfer_estimated),
        "throughput": Throughput(plan.settings.throughput_mib_s, plan.settings.throughput_source,
                                 plan.settings.measured_copies).describe(),
        "wave_seconds": plan_seconds(plan),
        "windows_count": sum(1 for vm in plan.vms if (vm.guest or {}).get("windows")),
    }


def duration(seconds: int | float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min" if hours else f"{rest // 60} min {rest % 60:02d} s"
