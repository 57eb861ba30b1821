"""Tab names across RVTools generations: `vInfo` (4.x), `tabvInfo` (3.x), `RVTools_tabvInfo.csv` (CSV)."""

from __future__ import annotations

import re

# The tabs whose facts reach the inventory, by their 4.x names.
USED_TABS = (
    "vInfo", "vCPU", "vMemory", "vDisk", "vPartition", "vNetwork", "vCD", "vUSB", "vSnapshot", "vTools",
    "vSource", "vCluster", "vHost", "vSwitch", "vPort", "dvSwitch", "dvPort", "vDatastore", "vMetaData",
)
_CANONICAL = {name.casefold(): name for name in USED_TABS}


def canonical_tab(name: str) -> str | None:
    """The 4.x name of a sheet or CSV file name, or None if it is not a tab this importer reads."""
    key = name.strip()
    key = re.sub(r"\.csv$", "", key, flags=re.IGNORECASE)
    key = re.sub(r"^rvtools_", "", key, flags=re.IGNORECASE)
    key = re.sub(r"^tab", "", key, flags=re.IGNORECASE)
    key = key.replace("+", "_").casefold()
    return _CANONICAL.get(key)
