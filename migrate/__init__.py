"""migrate: a VMware vSphere to Proxmox VE migration toolkit."""

__version__ = "0.1.0"
