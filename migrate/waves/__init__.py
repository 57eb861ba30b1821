"""Waves: groups of VMs that move together, selected by folder, tag, attribute, cluster, pattern, name or CSV."""
