"""RVTools exports as an offline discovery source: read into the same `Inventory` as API discovery.

The writer that makes exports for the sample estate and the tests is lab tooling (`lab/rvtools/`)."""

from migrate.discovery.rvtools.importer import RVTOOLS_MATCH_KEYS, import_rvtools
from migrate.discovery.rvtools.reader import ReadExport, read_rvtools

__all__ = ["RVTOOLS_MATCH_KEYS", "ReadExport", "import_rvtools", "read_rvtools"]
