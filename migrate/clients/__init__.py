"""The seam to the outside world: only this package imports pyvmomi, proxmoxer or paramiko."""
