"""Webhook delivery: the delivery queue's messages (SQS, ReportBatchItemFailures), each delivered at once
beside the others; a failed one comes back after its own retry delay (services/webhooks/delivery.py)."""

from typing import Any

from clientele import observability
from clientele.services.webhooks import delivery


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failed = delivery.deliver_batch(event.get("Records") or [])
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


lambda_handler = observability.observe_queue(_handle, "webhook-delivery")
