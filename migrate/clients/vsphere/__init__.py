"""vSphere through pyvmomi."""
