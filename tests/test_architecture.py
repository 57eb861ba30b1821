"""The layers' rules that import-linter cannot see: who commits a transaction."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "migrate"
# The execution journal commits after every step, and finalize's after every change, so that a resumed run can
# trust the database (docs/architecture.md).
MAY_COMMIT = ("cli/", "execution/journal.py", "execution/rollback.py", "execution/rehearsal_journal.py",
              "finalize/journal.py")


def _commits(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_only_the_cli_and_the_execution_journal_commit():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not relative.startswith(MAY_COMMIT) and _commits(path):
            found[relative] = _commits(path)
    assert found == {}


def test_the_commit_check_sees_a_commit(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def save(session):\n    session.add(1)\n    session.commit()\n")
    assert _commits(sample) == [3]
