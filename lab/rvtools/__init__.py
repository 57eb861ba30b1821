"""Writing RVTools exports from an inventory, laid out as RVTools 4.x writes them: the sample estate's export and
the test data of the RVTools reader. Lab tooling, not the product: `migrate` only reads exports."""

from lab.rvtools.writer import write_rvtools_export

__all__ = ["write_rvtools_export"]
