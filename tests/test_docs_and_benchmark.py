import runpy
from pathlib import Path

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
