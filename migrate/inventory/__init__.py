"""The inventory: what a discovery found in a vSphere estate, as plain data, and how it is stored."""
