"""Stream fixtures: the table's REAL stream as moto keeps it, read with the dynamodbstreams client,
shaped as the event source mapping hands records to Lambda (local.streams.lambda_record) and
filtered by the template's FilterCriteria; and the processor handler the template names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local import template
from local.events import LambdaContext
from local.streams import lambda_record, matches, stream_mappings


class StreamReader:
    """Reads new records from every shard of the table's stream, oldest first."""

    def __init__(self, table_name: str) -> None:
        self.client = boto3.client("dynamodbstreams")
        description = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]
        self.arn = description["LatestStreamArn"]
        self.iterators: dict[str, str | None] = {}
        mapping = next(m for m in stream_mappings() if m.function == "StreamProcessorFunction")
        self.filters = mapping.filters

    def read_all(self) -> list[dict[str, Any]]:
        """Every new record (unfiltered), as Lambda would see it."""
        shards = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        records: list[dict[str, Any]] = []
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self.client.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while self.iterators[shard_id]:
                reply = self.client.get_records(ShardIterator=self.iterators[shard_id], Limit=1000)
                self.iterators[shard_id] = reply.get("NextShardIterator")
                if not reply["Records"]:
                    break
                records += [lambda_record(record, self.arn) for record in reply["Records"]]
        return records

    def read(self) -> list[dict[str, Any]]:
        """New records that pass the processor's FilterCriteria."""
        return [record for record in self.read_all() if any(matches(p, record) for p in self.filters)]


@pytest.fixture
def stream(table: str) -> Iterator[StreamReader]:
    from clientele.config import config
    from local.dynamodb import install_repairs

    undo = install_repairs()  # moto's own rollback deep-copies the table per transaction (local/dynamodb.py)
    boto3.client("events").create_event_bus(Name=config().event_bus_name)
    yield StreamReader(table)
    undo()


def processor_handler() -> Any:
    function = next(fn for fn in template.functions() if fn.logical_id == "StreamProcessorFunction")
    return function.load()


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
