"""Clientele's shared code: domain rules, the single-table store, API plumbing and use cases."""
