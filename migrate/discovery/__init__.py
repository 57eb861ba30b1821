"""Discovery: harvesting a source's inventory and recording it with what changed."""
