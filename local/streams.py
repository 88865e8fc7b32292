"""The local event source mappings for DynamoDB Streams: poll the table's stream (through the
``dynamodbstreams`` client, against the embedded moto) and invoke every template function that has
an ``Events`` entry of ``Type: DynamoDB`` with real-shaped Lambda stream events.

What the mapping honours from the template: ``StartingPosition``, ``BatchSize``,
``FilterCriteria`` (the common pattern operators), ``FunctionResponseTypes:
[ReportBatchItemFailures]`` (a partial failure checkpoints before the first failed record and
redelivers from it), ``BisectBatchOnFunctionError`` and ``MaximumRetryAttempts`` (a batch that
exhausts them is logged and skipped, as an on-failure destination would receive it). Records of one
shard reach a function in order; each mapping has its own position and thread.

``MaximumBatchingWindowInSeconds`` is not waited for (a batch goes out on the next poll, every
0.25 s), nor ``MaximumRecordAgeInSeconds``; the on-failure destination is a log line.

Other background work (``local.jobs``: EventBridge rules → SQS → job handlers) follows the same
small protocol, :class:`Worker`: an object with ``start()`` and ``stop()`` that ``local.server``
runs beside the gateway.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from local import template
from local.console import emit, summarise_calls
from local.runtime import Runtime


class Worker(Protocol):
    """Background work the local stack runs beside the gateway."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


# ----------------------------------------------------------------------------- the template


@dataclass(frozen=True)
class StreamMapping:
    """One ``Type: DynamoDB`` event of a function in template.yaml."""

    function: str
    event_name: str
    table: str  # logical id of the table whose stream it reads
    starting_position: str = "TRIM_HORIZON"
    batch_size: int = 100
    filters: tuple[Mapping[str, Any], ...] = ()
    report_batch_item_failures: bool = False
    bisect_on_error: bool = False
    maximum_retry_attempts: int = -1


def _stream_table(stream: Any) -> str:
    """The logical id behind ``!GetAtt Table.StreamArn`` (either GetAtt form)."""
    if isinstance(stream, Mapping):
        target = stream.get("Fn::GetAtt")
        if isinstance(target, str):
            return target.split(".", 1)[0]
        if isinstance(target, list) and target:
            return str(target[0])
    raise ValueError(f"unsupported Stream reference {stream!r}; use !GetAtt <Table>.StreamArn")


def stream_mappings(loaded: Mapping[str, Any] | None = None) -> list[StreamMapping]:
    loaded = loaded or template.load_template()
    mappings = []
    for logical_id, resource in loaded["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in ((resource.get("Properties") or {}).get("Events") or {}).items():
            if event.get("Type") != "DynamoDB":
                continue
            props = event.get("Properties") or {}
            if props.get("Enabled") is False:
                continue
            filters = []
            for entry in ((props.get("FilterCriteria") or {}).get("Filters")) or ():
                pattern = entry.get("Pattern")
                filters.append(json.loads(pattern) if isinstance(pattern, str) else pattern)
            response_types = props.get("FunctionResponseTypes") or ()
            mappings.append(StreamMapping(
                function=logical_id,
                event_name=event_name,
                table=_stream_table(props.get("Stream")),
                starting_position=str(props.get("StartingPosition", "TRIM_HORIZON")),
                batch_size=int(props.get("BatchSize", 100)),
                filters=tuple(filters),
                report_batch_item_failures="ReportBatchItemFailures" in response_types,
                bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
            ))
    return mappings


PROCESSOR = "StreamProcessorFunction"


def processor_mapping() -> StreamMapping:
    """The stream processor's mapping (its FilterCriteria, batch size) in template.yaml."""
    return next(mapping for mapping in stream_mappings() if mapping.function == PROCESSOR)


# ----------------------------------------------------------------------------- filter criteria


def _matches_rule(value: Any, present: bool, rule: Any) -> bool:
    if not isinstance(rule, Mapping):
        return present and value == rule
    if "exists" in rule:
        return present is bool(rule["exists"])
    if not present:
        return False
    if "prefix" in rule:
        return isinstance(value, str) and value.startswith(str(rule["prefix"]))
    if "suffix" in rule:
        return isinstance(value, str) and value.endswith(str(rule["suffix"]))
    if "equals-ignore-case" in rule:
        return isinstance(value, str) and value.casefold() == str(rule["equals-ignore-case"]).casefold()
    if "anything-but" in rule:
        excluded = rule["anything-but"]
        if isinstance(excluded, Mapping):
            return not _matches_rule(value, present, excluded)
        return value not in (excluded if isinstance(excluded, list) else [excluded])
    if "numeric" in rule:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        spec = list(rule["numeric"])
        checks = {"=": number.__eq__, ">": number.__gt__, ">=": number.__ge__,
                  "<": number.__lt__, "<=": number.__le__}
        return all(checks[op](float(limit)) for op, limit in zip(spec[::2], spec[1::2], strict=True))
    raise ValueError(f"unsupported filter rule {rule!r}")


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Lambda event filtering (EventBridge pattern syntax) for one record."""
    for key, expected in pattern.items():
        present = key in record
        value = record.get(key)
        if isinstance(expected, Mapping):
            if not isinstance(value, Mapping) or not matches(expected, value):
                return False
            continue
        rules = expected if isinstance(expected, list) else [expected]
        values = value if isinstance(value, list) else [value]
        if not any(_matches_rule(item, present, rule) for rule in rules for item in values):
            return False
    return True


# ----------------------------------------------------------------------------- records


def _lambda_value(value: Any) -> Any:
    """boto3's parsed AttributeValues back to the JSON a Lambda stream event carries."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {key: _lambda_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lambda_value(item) for item in value]
    return value


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as the event source mapping hands it to Lambda."""
    dynamodb = dict(record.get("dynamodb") or {})
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    shaped: dict[str, Any] = {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", "us-east-1"),
        "dynamodb": _lambda_value(dynamodb),
        "eventSourceARN": stream_arn,
    }
    if record.get("userIdentity"):
        shaped["userIdentity"] = dict(record["userIdentity"])
    return shaped


# ----------------------------------------------------------------------------- the reader


class StreamReader:
    """Reads a table's stream shard by shard, each from where it last stopped, as Lambda records.

    The one stream reader: the local stack's poller, the tests and the bench read through it.
    ``filters`` are the FilterCriteria patterns :meth:`read` applies (none: every record passes);
    by default, the stream processor's in template.yaml.
    """

    def __init__(self, table_name: str, *, filters: Iterable[Mapping[str, Any]] | None = None,
                 starting_position: str = "TRIM_HORIZON") -> None:
        import boto3

        self.client = boto3.client("dynamodbstreams")
        description = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]
        self.arn = str(description["LatestStreamArn"])
        self.filters = tuple(filters if filters is not None else processor_mapping().filters)
        self.starting_position = starting_position
        self.iterators: dict[str, str | None] = {}

    def passes(self, record: Mapping[str, Any]) -> bool:
        return not self.filters or any(matches(pattern, record) for pattern in self.filters)

    def poll(self, limit: int = 1000) -> list[list[dict[str, Any]]]:
        """One GetRecords of up to ``limit`` records per open shard: the shards' new records, a list
        per shard that had any, oldest first (unfiltered)."""
        batches = []
        for shard in self.client.describe_stream(StreamArn=self.arn)["StreamDescription"].get("Shards") or ():
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self.client.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard_id, ShardIteratorType=self.starting_position)["ShardIterator"]
            iterator = self.iterators[shard_id]
            if iterator is None:
                continue  # a closed shard, read to its end
            reply = self.client.get_records(ShardIterator=iterator, Limit=limit)
            _forget_iterator(iterator)
            self.iterators[shard_id] = reply.get("NextShardIterator")
            if reply.get("Records"):
                batches.append([lambda_record(record, self.arn) for record in reply["Records"]])
        return batches

    def read_all(self) -> list[dict[str, Any]]:
        """Every new record (unfiltered), as Lambda would see it."""
        records: list[dict[str, Any]] = []
        while batches := self.poll():
            records += [record for batch in batches for record in batch]
        return records

    def read(self) -> list[dict[str, Any]]:
        """New records that pass the filters."""
        return [record for record in self.read_all() if self.passes(record)]


# ----------------------------------------------------------------------------- the poller


class _FunctionError(Exception):
    pass


class StreamPoller:
    """Feeds the table's stream to the template's stream functions, like event source mappings."""

    def __init__(self, runtime: Runtime, table_names: Mapping[str, str], *, interval: float = 0.25,
                 mappings: Iterable[StreamMapping] | None = None) -> None:
        """``table_names`` maps a table's logical id (``Table``) to its local name."""
        self.runtime = runtime
        self.table_names = dict(table_names)
        self.interval = interval
        self.mappings = list(mappings) if mappings is not None else stream_mappings()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.delivered = 0

    @property
    def idle(self) -> bool:
        return not self.mappings

    def describe(self) -> str:
        if not self.mappings:
            return "no stream functions in template.yaml (idle)"
        return ", ".join(f"{m.function} ← {m.table} stream" for m in self.mappings)

    def start(self) -> None:
        for spec in self.mappings:
            if spec.table not in self.table_names:
                emit(f"WARNING stream mapping {spec.function}.{spec.event_name} reads {spec.table}, "
                     f"which the local stack does not create; skipped")
                continue
            thread = threading.Thread(target=self._run, args=(spec,), name=f"stream-{spec.function}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    # -- one mapping

    def _run(self, spec: StreamMapping) -> None:
        reader = self._reader(spec)
        while reader is None and not self._stop.wait(self.interval):
            reader = self._reader(spec)
        while reader is not None and not self._stop.is_set():
            try:
                delivered = self._poll(spec, reader)
            except Exception as exc:
                emit(f"WARNING stream poller for {spec.function}: {type(exc).__name__}: {exc}")
                delivered = 0
            if not delivered:
                self._stop.wait(self.interval)

    def _reader(self, spec: StreamMapping) -> StreamReader | None:
        """The mapping's reader, once its table (and the table's stream) exists."""
        try:
            return StreamReader(self.table_names[spec.table], filters=spec.filters,
                                starting_position=spec.starting_position)
        except Exception:
            return None

    def _poll(self, spec: StreamMapping, reader: StreamReader) -> int:
        """One read of every shard; each shard's records that pass the filters go out as one batch."""
        delivered = 0
        for records in reader.poll(spec.batch_size):
            chosen = [record for record in records if reader.passes(record)]
            if chosen:
                self._deliver(spec, chosen)
            delivered += len(records)
        return delivered

    def _deliver(self, spec: StreamMapping, records: list[dict[str, Any]]) -> None:
        """Invoke until the batch is done, retrying and bisecting as the mapping is configured."""
        attempts = 0
        pending = records
        while pending and not self._stop.is_set():
            try:
                failed_from = self._invoke(spec, pending)
            except _FunctionError:
                if spec.bisect_on_error and len(pending) > 1:
                    middle = len(pending) // 2
                    self._deliver(spec, pending[:middle])
                    self._deliver(spec, pending[middle:])
                    return
                failed_from = 0
            if failed_from is None:
                return
            pending = pending[failed_from:]
            attempts += 1
            if 0 <= spec.maximum_retry_attempts < attempts:
                first = pending[0]["dynamodb"]["SequenceNumber"]
                last = pending[-1]["dynamodb"]["SequenceNumber"]
                emit(f"STREAM  {spec.function}: gave up on {len(pending)} record(s) {first}..{last} after "
                     f"{attempts} attempt(s) (an on-failure destination would receive them)")
                return
            self._stop.wait(min(0.1 * 2 ** attempts, 5.0))

    def _invoke(self, spec: StreamMapping, records: list[dict[str, Any]]) -> int | None:
        """Index of the first record to redeliver, or None when the batch succeeded."""
        invocation = self.runtime[spec.function].invoke({"Records": records})
        self.delivered += len(records)
        status = "ok"
        failed_from: int | None = None
        if invocation.error is not None:
            status = f"error {invocation.error.error_type}: {invocation.error}"
        elif spec.report_batch_item_failures:
            failed_from = _first_failure(invocation.result, records)
            if failed_from is not None:
                status = f"{len(records) - failed_from} to retry"
        emit(f"STREAM  {spec.function:<36} {len(records):>3} record(s)  {invocation.milliseconds:7.1f} ms  "
             f"{summarise_calls(invocation.calls)}  {status}")
        if invocation.error is not None:
            raise _FunctionError(str(invocation.error))
        return failed_from


def _first_failure(result: Any, records: list[dict[str, Any]]) -> int | None:
    """Lambda's reading of a ReportBatchItemFailures response (invalid → the whole batch failed)."""
    if result is None:
        return None
    if not isinstance(result, Mapping):
        return 0
    failures = result.get("batchItemFailures")
    if not failures:
        return None
    sequence_numbers = [r["dynamodb"].get("SequenceNumber") for r in records]
    indexes = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not identifier or identifier not in sequence_numbers:
            return 0
        indexes.append(sequence_numbers.index(identifier))
    return min(indexes)


def _forget_iterator(iterator: str) -> None:
    """moto keeps every shard iterator it ever issued; drop the spent one (we are in-process)."""
    try:
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        for account in dynamodbstreams_backends.values():
            for backend in account.values():
                backend.shard_iterators.pop(iterator, None)
    except Exception:  # purely a memory nicety
        return
