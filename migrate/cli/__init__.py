"""The `migrate` command: parses options, calls one library function, renders the result."""
