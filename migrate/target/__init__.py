"""The Proxmox VE target: its snapshot, the landing-zone checks, and how targets are stored."""
