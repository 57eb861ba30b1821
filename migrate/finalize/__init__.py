"""After a wave's cutover: protect its migrated VMs on the target as the production architecture asks.

`migrate finalize` adds each migrated VM that lives on shared storage as an HA resource, carries the vSphere DRS
VM-VM rules over as PVE 9 HA resource-affinity rules, and checks that every migrated VM is in a backup job (adding
it to one with --backup-job). The changes are planned from what the target holds (pure functions of data,
`ha.py`, `rules.py`, `backup.py`), shown first with --dry-run, then applied and journaled one by one; a second
finalize finds nothing to change. Only VMs the journal says the toolkit migrated, proven ours on the target, are
ever touched.
"""
