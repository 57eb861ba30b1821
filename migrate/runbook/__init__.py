"""Runbooks: the Markdown a consultant hands to the customer's operators for a wave."""
