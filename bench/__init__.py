"""`make bench`: DynamoDB round trips, handler overhead and cold imports per operation."""


def environment() -> None:
    """The bench's in-process environment (``local.in_process``): a table of its own, Powertools
    logs at ERROR and EMF metric documents off, as in the local stack, so `make bench` prints only
    its figures (their cost is per error response and per stream batch: docs/decisions.md)."""
    from local import in_process

    in_process.environment("bench", log_level="ERROR", metrics=False)
