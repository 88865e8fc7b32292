"""Stream fixtures: the table's REAL stream as moto keeps it, read with the dynamodbstreams client,
shaped as the event source mapping hands records to Lambda (local.streams.lambda_record) and
filtered by the template's FilterCriteria; and the processor handler the template names."""

from __future__ import annotations

from typing import Any

import pytest

from local import template
from local.dynamodb import create_event_bus
from local.events import LambdaContext
from local.streams import PROCESSOR, StreamReader

__all__ = ["StreamReader", "deliver", "drain", "processor_handler"]


@pytest.fixture
def stream(table: str) -> StreamReader:
    from clientele.config import config

    create_event_bus(config().event_bus_name)  # the processor publishes domain events
    return StreamReader(table)


def processor_handler() -> Any:
    return template.function(PROCESSOR).load()


def deliver(records: list[dict[str, Any]], batch_size: int = 100) -> list[str]:
    """Invoke the processor on the records in batches; returns every failed sequence number."""
    handler = processor_handler()
    failed: list[str] = []
    for start in range(0, len(records), batch_size):
        response = handler({"Records": records[start:start + batch_size]}, LambdaContext(timeout_seconds=120))
        failed += [failure["itemIdentifier"] for failure in response["batchItemFailures"]]
    return failed


def drain(stream: StreamReader) -> int:
    """Feed the processor until the stream is quiet (its own writes are filtered out); returns records fed."""
    total = 0
    while True:
        records = stream.read()
        if not records:
            return total
        assert deliver(records) == []
        total += len(records)
