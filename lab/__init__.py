"""The local lab: govmomi's vCenter simulator loaded with the sample estate, a simulated Proxmox VE cluster, a
loopback node, the demo and the sample RVTools export, for `make demo` and the tests.

It lives beside `migrate/`, not in it: the wheel ships the product only. The lab imports pyvmomi and fakepve
directly, and is importable from the repository's root (`python -m lab.demo`, pytest's rootdir).
"""
