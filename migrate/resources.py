"""The data shipped inside the package: schema revisions, mapping rules and runbook templates.

In the repository they stay in the top-level folders `migrations/`, `mappings/` and `runbooks/` (the
customer's layout); pyproject.toml installs them as the packages `migrate.migrations`, `migrate.mappings` and
`migrate.runbooks`, so `importlib.resources` finds them in the same way from a wheel and from an editable
install (`pip install -e .`), wherever the working directory is.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from migrate.errors import MigrateError


def data_dir(package: str) -> Path:
    """The directory of a data package, as a path: Alembic, Jinja2's file loader and the YAML reader open files."""
    directory = files(package)
    if not isinstance(directory, Path):
        # pip installs packages as directories; only an import from a zip file (zipapp, egg) lands here.
        raise MigrateError(f"the package data {package} is not a directory ({directory}): install migrate with pip")
    return directory
