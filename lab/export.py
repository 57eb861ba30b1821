"""The sample estate as an RVTools export: `sample_inventory/RVTools_export_all_sample.xlsx`.

Written from the same `estate.yaml` that builds the lab, so a test can discover the lab through the
API, import this export, and expect the same VMs, disks, NICs and networks from both.
Regenerate it after changing the estate or the RVTools writer: `python -m lab.export`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lab.estate import SAMPLE_ESTATE, estate_to_inventory, load_estate_file
from lab.rvtools import write_rvtools_export

SAMPLE_EXPORT = SAMPLE_ESTATE.parent / "RVTools_export_all_sample.xlsx"
REGENERATE = "python -m lab.export"


def write_sample_rvtools(path: Path | str = SAMPLE_EXPORT, estate_file: Path | str = SAMPLE_ESTATE) -> Path:
    """Write the RVTools export of the estate in `estate_file` (the sample estate by default) at `path`."""
    return write_rvtools_export(estate_to_inventory(load_estate_file(estate_file)), path)


def main(argv: list[str] | None = None) -> int:
    """Write the sample export, or the export at the path given as the only argument."""
    args = sys.argv[1:] if argv is None else argv
    path = write_sample_rvtools(Path(args[0]) if args else SAMPLE_EXPORT)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
