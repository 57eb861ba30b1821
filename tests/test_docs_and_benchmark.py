import runpy
from pathlib import Path

import pytest

from migrate.readiness.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[1]


def test_readiness_doc_lists_every_rule():
    text = (ROOT / "docs" / "readiness.md").read_text()
    missing = [loaded.rule.id for loaded in ALL_RULES if f"| {loaded.rule.id} |" not in text]
    assert missing == []


def test_benchmark_script_runs_on_a_small_estate(capsys):
    module = runpy.run_path(str(ROOT / "benchmarks" / "readiness.py"))
    module["main"](200)
    output = capsys.readouterr().out
    assert "| mapping + readiness (`assess`) | 200 |" in output


def test_planning_benchmark_runs_on_a_small_estate(capsys):
    module = runpy.run_path(str(ROOT / "benchmarks" / "plan.py"))
    module["main"](300, 5)
    output = capsys.readouterr().out
    assert "| placement (`place_wave`) | 300 | 5 |" in output
    assert "300 placed on 5 nodes, 0 left out, 0 stale reasons" in output


def test_benchmarks_doc_has_a_planning_section():
    assert "\n## Planning\n" in (ROOT / "docs" / "benchmarks.md").read_text()


@pytest.mark.vcsim
@pytest.mark.slow
def test_discovery_benchmark_measures_every_method_on_a_small_estate():
    module = runpy.run_path(str(ROOT / "benchmarks" / "discovery.py"))
    module["build_goclient"]()
    measurement = module["measure_size"](20, 1, list(module["METHODS"]), lambda message: None)
    median = measurement["median"]
    assert median["naive"]["round_trips"] == 19 * 20 + 3
    assert median["go"]["round_trips"] == 3 and median["discover"]["round_trips"] == 7
    assert all(0 < m["peak_mb"] < 1000 for m in median.values())
    assert "| ours: discover_vcenter into SQLite |" in module["markdown"]([measurement])


def test_rvtools_benchmark_runs_on_a_small_export():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "rvtools_import.py"), "--vms", "50"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "| 50 | " in result.stdout and "MiB |" in result.stdout
