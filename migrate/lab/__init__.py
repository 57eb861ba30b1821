"""The local lab: govmomi's vCenter simulator loaded with the sample estate, for the demo and the tests."""
