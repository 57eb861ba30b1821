"""Execution: moving the VMs of a planned wave, step by step, journaled so that any run can be resumed."""
