"""A vCenter whose VMs' disks behave like vSphere's for a warm copy, in front of the simulator.

vcsim has snapshots but neither changed block tracking nor delta disks. `WarmVcenter` (vcenter.py) is an
HTTPS proxy that passes every call through to vcsim and adds, for the VMs' real VMDKs in the datastore
directory: change tracking (`ctkEnabled`, change ids per snapshot, `QueryChangedDiskAreas`, tracking.py),
a delta disk per snapshot over the frozen base file (chain.py), and the faults vSphere gives (soap.py).
Tests write to a "running" VM's disk with `WarmVcenter.write_to_running_disk`.
"""
