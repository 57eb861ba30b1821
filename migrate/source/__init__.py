"""Sources: the vCenters the consultant recorded, with how to reach them (never the password)."""
