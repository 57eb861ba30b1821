"""Discovery: the sources of an inventory (the vCenter API, an RVTools export, the Proxmox target), each read into the
model, and one function that records a discovery with what changed (`save.save_discovery`)."""
