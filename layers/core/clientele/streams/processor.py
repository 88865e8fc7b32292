"""The stream processor: Powertools' ``BatchProcessor`` for DynamoDB Streams, in two phases.

1. Each record goes through the projectors (``record_handler`` = :meth:`StreamProcessor.project`);
   a record that cannot be read fails alone.
2. After the last record, the batch's writes are coalesced and applied (``writer.apply``); a write
   that fails turns exactly the records it came from into failures.

``process_partial_response`` then answers ``{"batchItemFailures": [...]}`` with those records'
sequence numbers (ReportBatchItemFailures): Lambda checkpoints before the first of them and
redelivers from there, and every write is idempotent, so the redelivery is harmless.
"""

from __future__ import annotations

import logging
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from clientele.streams import projectors, writer

logger = logging.getLogger("clientele.streams")

# Stop starting SET NULL updates when less than this is left of the invocation.
SAFETY_MARGIN_MS = 15_000


def images(record: DynamoDBRecord) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(old image, new image) of a record, ``None`` where the record carries none."""
    stream = record.dynamodb
    if stream is None:
        raise ValueError("a DynamoDB stream record without its 'dynamodb' part")
    event = record.event_name.name if record.event_name is not None else ""
    old = stream.old_image or None
    new = None if event == "REMOVE" else (stream.new_image or None)
    if old is None and new is None:
        raise ValueError("a stream record without images (the stream must be NEW_AND_OLD_IMAGES)")
    return old, new


class StreamProcessor(BatchProcessor):
    def __init__(self) -> None:
        super().__init__(event_type=EventType.DynamoDBStreams)
        self.batch = writer.Batch()
        self.outcome = writer.Outcome()

    def _prepare(self) -> None:
        super()._prepare()
        self.batch = writer.Batch()
        self.outcome = writer.Outcome()

    def project(self, record: DynamoDBRecord) -> int:
        """The record handler: project one change and collect its writes for the batch."""
        old, new = images(record)
        sequence = record.dynamodb.sequence_number if record.dynamodb is not None else None
        if not sequence:
            raise ValueError("a stream record without a sequence number")
        writes = projectors.project(old, new)
        self.batch.add(sequence, writes)
        return len(writes)

    def process(self) -> list[tuple[Any, ...]]:
        results = super().process()
        self.outcome = writer.apply(self.batch, out_of_time=self._out_of_time)
        self._fail(self.outcome.failures)
        return results

    def _out_of_time(self) -> bool:
        context = getattr(self, "lambda_context", None)
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return callable(remaining) and remaining() < SAFETY_MARGIN_MS

    def _fail(self, failures: dict[str, BaseException]) -> None:
        """Turn records whose writes failed into failed records (reported by sequence number)."""
        if not failures:
            return
        for raw in list(self.success_messages):
            record: dict[str, Any] = raw if isinstance(raw, dict) else {}  # the raw record, as Lambda sent it
            sequence = (record.get("dynamodb") or {}).get("SequenceNumber")
            error = failures.get(sequence) if sequence else None
            if error is None:
                continue
            self.success_messages.remove(raw)
            self.fail_messages.append(DynamoDBRecord(record))
            self.exceptions.append((type(error), error, error.__traceback__))
            logger.warning("record %s failed: %s: %s", sequence, type(error).__name__, error)
