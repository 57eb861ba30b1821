"""The wheel is exactly the product: built from the working tree and installed (not editable) into a fresh virtual
environment outside the repository, it holds no lab or test code, and its `migrate` runs the workflow from an
RVTools export to a runbook on the data it ships (schema revisions, mapping rules, runbook templates)."""

from __future__ import annotations

import ast
import csv
import os
import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath

import pytest

from lab.pve import start_simulated_target

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_EXPORT = ROOT / "sample_inventory" / "RVTools_export_all_sample.xlsx"
SAMPLE_MAP = ROOT / "sample_inventory" / "mappings.yaml"
SOURCE = "vcsa01.lab.example"  # the sample export's vCenter
NOT_PRODUCT = {"lab", "tests", "benchmarks", "fakepve", "hypothesis", "pytest", "_pytest"}
TEST_EXTRA = {"fakepve", "hypothesis", "pytest"}
# Never copied into the build: setuptools' build/ keeps files of earlier builds and would ship them.
BUILD_LEFTOVERS = (".git", ".venv", ".cache", "build", "demo", "*.egg-info", "__pycache__", ".pytest_cache",
                   ".hypothesis", "migrate.db")
TIMEOUT = 600


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def _check(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, f"{done.args}: exit code {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built by pip from a clean copy of the working tree."""
    work = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, work / "src", ignore=shutil.ignore_patterns(*BUILD_LEFTOVERS))
    _check(_run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", work / "dist",
                work / "src"))
    (built,) = (work / "dist").glob("migrate-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment outside the repository holding the wheel and its dependencies, no extra."""
    path = tmp_path_factory.mktemp("venv") / "venv"
    assert not path.is_relative_to(ROOT)
    _check(_run(sys.executable, "-m", "venv", path))
    _check(_run(path / "bin" / "python", "-m", "pip", "install", "--quiet", wheel))
    return path


def _imported_roots(source: str) -> set[str]:
    """The top-level names a module imports, anywhere in it (function-level imports too)."""
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _project(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower()


def _source_packages() -> set[str]:
    return {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "migrate").rglob("__init__.py")}


def test_the_wheel_holds_the_product_and_its_data_and_no_lab_or_test_code(wheel, venv):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        modules = {name: archive.read(name).decode() for name in names if name.endswith(".py")}
        metadata = HeaderParser().parsestr(archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
                                           .decode())
    tops = {PurePosixPath(name).parts[0] for name in names}
    assert tops == {"migrate", wheel.name.split("-py3")[0] + ".dist-info"}, tops
    importing_test_code = {name: found for name, source in modules.items()
                           if (found := _imported_roots(source) & NOT_PRODUCT)}
    assert importing_test_code == {}
    shipped_packages = {".".join(PurePosixPath(name).parent.parts) for name in names if name.endswith("/__init__.py")}
    missing = _source_packages() - shipped_packages
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
    revisions = {f"migrate/migrations/versions/{p.name}" for p in (ROOT / "migrations" / "versions").glob("*.py")}
    data = {"migrate/migrations/env.py", "migrate/migrations/script.py.mako", "migrate/mappings/guest-os.yaml",
            "migrate/mappings/hardware.yaml", "migrate/runbooks/wave.md.j2", "migrate/deliverables/report.html.j2"}
    assert revisions and revisions | data <= set(names)
    test_requirements = [r for r in metadata.get_all("Requires-Dist") if _project(r) in TEST_EXTRA]
    assert len(test_requirements) == len(TEST_EXTRA) and all('extra == "test"' in r for r in test_requirements)
    installed = _check(_run(venv / "bin" / "python", "-m", "pip", "list", "--format", "freeze")).stdout.lower()
    assert not {line.split("==")[0] for line in installed.splitlines()} & TEST_EXTRA


def test_the_installed_migrate_goes_from_an_rvtools_export_to_a_runbook(venv, tmp_path):
    work = tmp_path / "work"  # outside the repository: nothing can come from the checkout
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MIGRATE_", "PYTHON"))}
    migrate = venv / "bin" / "migrate"
    where = _check(_run(venv / "bin" / "python", "-c", "import migrate; print(migrate.__file__)", cwd=work, env=env))
    assert Path(where.stdout.strip()).is_relative_to(venv)
    assert _run(venv / "bin" / "python", "-c", "import lab", cwd=work, env=env).returncode == 1

    _check(_run(migrate, "db", "upgrade", cwd=work, env=env))
    discovered = _check(_run(migrate, "discover", "--rvtools", SAMPLE_EXPORT, cwd=work, env=env))
    assert f"first discovery of {SOURCE}: 76 VMs recorded" in discovered.stdout
    _check(_run(migrate, "mapping", "init", cwd=work, env=env))
    map_file = work / "mappings" / f"{SOURCE}.yaml"
    assert "TODO" in map_file.read_text()
    map_file.write_text(SAMPLE_MAP.read_text().replace('source: "lab"', f'source: "{SOURCE}"'))
    _check(_run(migrate, "readiness", "--csv", "readiness.csv", cwd=work, env=env))
    with open(work / "readiness.csv", newline="", encoding="utf-8-sig") as report:
        assert len(list(csv.DictReader(report))) == 76

    with start_simulated_target(tmp_path) as target:
        env["MIGRATE_PVE_TOKEN_SECRET"] = target.secret
        done = {args[0] + " " + args[1]: _run(migrate, *args, cwd=work, env=env) for args in target.steps()}
    assert {step: result.returncode for step, result in done.items()} == dict.fromkeys(done, 0), {
        step: result.stderr for step, result in done.items()}
    placed = [line for line in done["plan --wave"].stdout.splitlines()[1:] if line.strip()]
    assert len(placed) == 6 and all("ceph-vm" in line and "vmbr1.120" in line for line in placed)
    runbook = (work / "wave-1.md").read_text()
    assert "Web tier" in runbook and all(line.split()[0] in runbook for line in placed)
    _check(_run(migrate, "report", "--html", "report.html", cwd=work, env=env))  # the template and charts ship too
    assert '<b data-figure="vms">76</b>' in (work / "report.html").read_text()
