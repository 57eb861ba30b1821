"""What the customer receives beyond the readiness files: the management report (`migrate report --html`)."""
