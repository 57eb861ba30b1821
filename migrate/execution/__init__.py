"""The executor: the steps that move a VM, and the building blocks they run on the Proxmox node."""
