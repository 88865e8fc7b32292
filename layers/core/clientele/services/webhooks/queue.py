"""The delivery queue (SQS): one message per delivery, so every delivery waits for its own retry — the
message is made visible again after the delay (``ChangeMessageVisibility``), never re-queued behind others."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clientele import aws
from clientele.errors import ServiceUnavailable
from clientele.services.webhooks.settings import settings

_PER_CALL = 10
MAX_DELAY_SECONDS = 43_200  # SQS: a message's visibility timeout is at most 12 hours


@dataclass(frozen=True)
class Message:
    org: str
    webhook_id: str
    delivery_id: str
    event_id: str
    customer_id: str | None = None  # whose partition holds the event's payload (None: an event of no customer)

    def body(self) -> str:
        return json.dumps({"org": self.org, "webhookId": self.webhook_id, "deliveryId": self.delivery_id,
                           "eventId": self.event_id, "customerId": self.customer_id}, separators=(",", ":"))

    @classmethod
    def parse(cls, body: str) -> Message:
        data: Mapping[str, Any] = json.loads(body)
        customer = data.get("customerId")
        return cls(str(data["org"]), str(data["webhookId"]), str(data["deliveryId"]), str(data["eventId"]),
                   str(customer) if customer else None)


def _url() -> str:
    url = settings().delivery_queue_url
    if not url:
        raise ServiceUnavailable("Webhook deliveries cannot be queued: WEBHOOK_DELIVERY_QUEUE_URL is not configured.")
    return url


def send(messages: Sequence[Message]) -> None:
    """Queue every message (ten a call); raises when SQS refused one, so the caller's event is retried."""
    if not messages:
        return
    client = aws.client("sqs")
    url = _url()
    for start in range(0, len(messages), _PER_CALL):
        chunk = messages[start:start + _PER_CALL]
        response = client.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": message.body()} for n, message in enumerate(chunk)])
        if response.get("Failed"):
            raise ServiceUnavailable(f"SQS refused {len(response['Failed'])} webhook deliveries; retry.")


def retry_later(receipt_handles: Mapping[str, int]) -> list[str]:
    """Make each received message visible again after its delay (seconds); returns the receipt handles
    SQS refused (those come back after the queue's visibility timeout instead)."""
    if not receipt_handles:
        return []
    client = aws.client("sqs")
    url = _url()
    handles = list(receipt_handles.items())
    refused: list[str] = []
    for start in range(0, len(handles), _PER_CALL):
        chunk = handles[start:start + _PER_CALL]
        response = client.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "ReceiptHandle": handle, "VisibilityTimeout": min(max(delay, 0), MAX_DELAY_SECONDS)}
            for n, (handle, delay) in enumerate(chunk)])
        refused += [chunk[int(failure["Id"])][0] for failure in response.get("Failed") or []]
    return refused
