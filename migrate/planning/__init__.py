"""Planning: placing a wave on a Proxmox target, pure; storing plans; telling when a plan went stale."""
