"""The local event source mappings for SQS: every ``Type: SQS`` event of a template function polls its queue
(made by ``local.resources``) and hands batches to the very handler module, as Lambda's poller does.

What the mapping honours: ``BatchSize``; ``FunctionResponseTypes: [ReportBatchItemFailures]`` (the
messages named in ``batchItemFailures`` stay on the queue, the others are deleted; without it a
function error leaves the whole batch); the queue's visibility timeout and whatever the handler set
with ``ChangeMessageVisibility`` (the message comes back then); the queue's redrive policy (moto moves
a message received ``maxReceiveCount`` times to the dead-letter queue). Batches run concurrently, up to
``CONCURRENCY`` at a time, as Lambda scales an SQS mapping, so a slow batch holds up no other.

Polls are short (no ``WaitTimeSeconds``): the embedded AWS serves one request at a time, and a long poll
would hold everyone else's requests.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from local import resources, template
from local.console import emit
from local.events import REGION
from local.runtime import Runtime

CONCURRENCY = 8


@dataclass(frozen=True)
class QueueMapping:
    function: str
    event_name: str
    queue: str  # logical id
    batch_size: int = 10
    report_batch_item_failures: bool = False


def queue_mappings(loaded: dict[str, Any] | None = None) -> list[QueueMapping]:
    found = []
    for logical_id, event_name, props in template.function_events("SQS", loaded):
        queue = resources.referenced(props.get("Queue"))
        if queue is None:
            raise ValueError(f"{logical_id}.{event_name}: use Queue: !GetAtt <Queue>.Arn")
        found.append(QueueMapping(logical_id, event_name, queue, int(props.get("BatchSize", 10)),
                                  "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or ())))
    return found


def lambda_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """A ReceiveMessage message as the SQS event source hands it to Lambda."""
    attributes = dict(message.get("Attributes") or {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {name: str(value) for name, value in attributes.items()},
        "messageAttributes": dict(message.get("MessageAttributes") or {}),
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(str(message["Body"]).encode()).hexdigest(),  # noqa: S324
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


class SqsEventSources:
    """Feeds the template's queues to their functions (a :class:`local.streams.Worker`)."""

    def __init__(self, runtime: Runtime, endpoint: str | None = None, *, interval: float = 0.2) -> None:
        self.runtime = runtime
        self.endpoint = endpoint
        self.interval = interval
        self.mappings = queue_mappings()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool = ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="sqs-batch")
        self._slots = threading.Semaphore(CONCURRENCY)
        self._sqs: Any = None  # made once: a client is thread-safe, boto3's making of one is not

    def describe(self) -> str:
        return ", ".join(f"{m.function} ← {m.queue}" for m in self.mappings) or "none"

    def start(self) -> None:
        self._client()
        for mapping in self.mappings:
            thread = threading.Thread(target=self._run, args=(mapping,), name=f"sqs-{mapping.function}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _client(self) -> Any:
        if self._sqs is None:
            import boto3

            self._sqs = boto3.client("sqs", endpoint_url=self.endpoint) if self.endpoint else boto3.client("sqs")
        return self._sqs

    def poll_once(self, mapping: QueueMapping, client: Any | None = None) -> int:
        """Receive one batch and hand it to the function on a worker; returns the messages received."""
        client = client or self._client()
        url = resources.queue_url(mapping.queue, self.endpoint)
        messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=min(mapping.batch_size, 10),
                                          AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if messages:
            self._slots.acquire()
            self._pool.submit(self._deliver, mapping, url, messages)
        return len(messages)

    def _run(self, mapping: QueueMapping) -> None:
        client = self._client()
        while not self._stop.is_set():
            try:
                received = self.poll_once(mapping, client)
            except Exception as exc:
                emit(f"QUEUE   {mapping.function}: polling failed: {type(exc).__name__}: {exc}")
                received = 0
            if not received:
                self._stop.wait(self.interval)

    def _deliver(self, mapping: QueueMapping, url: str, messages: list[dict[str, Any]]) -> None:
        try:
            records = [lambda_record(message, resources.queue_arn(mapping.queue)) for message in messages]
            started = time.perf_counter()
            invocation = self.runtime[mapping.function].invoke({"Records": records})
            keep = {record["messageId"] for record in records}  # a function error: every message comes back
            status = f"error {invocation.error}" if invocation.error is not None else "ok"
            if invocation.error is None:
                keep = _failed_ids(invocation.result) if mapping.report_batch_item_failures else set()
            done = [record for record in records if record["messageId"] not in keep]
            if done:
                self._client().delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(n), "ReceiptHandle": record["receiptHandle"]} for n, record in enumerate(done)])
            retried = f", {len(keep)} back later" if keep and invocation.error is None else ""
            emit(f"QUEUE   {mapping.function:<36} {len(records):>3} message(s) "
                 f"{(time.perf_counter() - started) * 1000:7.1f} ms  {status}{retried}")
        except Exception as exc:
            emit(f"QUEUE   {mapping.function}: delivering a batch failed: {type(exc).__name__}: {exc}")
        finally:
            self._slots.release()


def _failed_ids(result: Any) -> set[str]:
    if not isinstance(result, Mapping):
        return set()
    return {str(failure.get("itemIdentifier")) for failure in result.get("batchItemFailures") or []
            if isinstance(failure, Mapping)}
