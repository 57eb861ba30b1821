"""RVTools exports as an offline discovery source: read into the same `Inventory` as API discovery, and written."""

from migrate.discovery.rvtools.importer import RVTOOLS_MATCH_KEYS, import_rvtools
from migrate.discovery.rvtools.reader import ReadExport, read_rvtools
from migrate.discovery.rvtools.writer import write_rvtools_export

__all__ = ["RVTOOLS_MATCH_KEYS", "ReadExport", "import_rvtools", "read_rvtools", "write_rvtools_export"]
