"""Clients of external systems the integrations talk to."""
