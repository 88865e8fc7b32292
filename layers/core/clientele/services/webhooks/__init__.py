"""Webhooks (SPEC §11): subscriptions and their secrets, the fan-out of domain events into one delivery
per (subscription, event), the delivery with its retries, and the delivery log."""
