"""One delivery attempt, and what follows from it: delivered; retried after the schedule's next delay (the
SQS message becomes visible again then); or, after the last attempt, failed for good — and after 50
deliveries in a row failed for good, the subscription is switched off with ``disabledReason``.

Every attempt is one log line (``webhook attempt``: webhook, delivery, event, attempt, outcome, status
code, error, duration) and one ``WebhookDeliveries`` metric by ``outcome``: ``delivered``, ``retrying``,
``failed`` (gave up), ``skipped`` (the address is not allowed: not sent, retried like a failure) and
``dropped`` (the subscription is off or gone).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from clientele import clock, observability
from clientele.domain.webhook_urls import UrlRefused, parse
from clientele.domain.webhooks import DISABLE_AFTER_FAILED_DELIVERIES, retry_delay, signature
from clientele.integrations import webhook_http
from clientele.integrations.webhook_http import Attempt
from clientele.services.webhooks import queue, secrets
from clientele.services.webhooks.queue import Message
from clientele.services.webhooks.settings import settings
from clientele.services.webhooks.subscriptions import active_secrets
from clientele.store import webhook_deliveries as deliveries
from clientele.store import webhooks as subscriptions
from clientele.store.table import Item, as_int

logger = logging.getLogger("clientele.webhooks")


def send(org: str, webhook: Item, event: Item) -> Attempt:
    """POST the event's stored body to the subscription's URL, signed with every active secret."""
    try:
        target = parse(str(webhook.get("url")), allow_local_http=settings().allow_local_http)
    except UrlRefused as exc:
        return Attempt("skipped", None, f"not delivered: {exc}", 0.0)
    keys = [secrets.decrypt(org, webhook["id"], entry["ciphertext"]) for entry in active_secrets(webhook)]
    body = str(event["body"]).encode()
    headers = webhook_http.headers_for(str(event["id"]), str(event["type"]), signature(keys, int(time.time()), body))
    return webhook_http.post(target, body, headers)


def _later(seconds: int) -> str:
    return clock.iso(datetime.now(UTC) + timedelta(seconds=seconds))


def _log(message: Message, attempt: int, outcome: str, result: Attempt | None, error: str | None = None,
         retry_in_s: int | None = None) -> None:
    observability.count("WebhookDeliveries", outcome=outcome)
    logger.info("webhook attempt", extra={
        "webhook_id": message.webhook_id, "delivery_id": message.delivery_id, "event_id": message.event_id,
        "org": message.org, "attempt": attempt, "outcome": outcome, "retry_in_s": retry_in_s,
        "status_code": result.status_code if result else None, "error": result.error if result else error,
        "duration_ms": result.milliseconds if result else None})


def _drop(message: Message, why: str) -> None:
    deliveries.record(message.org, message.webhook_id, message.delivery_id,
                      {"status": "failed", "lastError": why, "nextAttemptAt": None}, attempted=False)
    _log(message, 0, "dropped", None, error=why)


def deliver(message: Message, *, schedule: Sequence[int] | None = None) -> int | None:
    """Make the delivery's next attempt; returns the seconds until the one after (None: nothing follows)."""
    delivery, webhook, event = deliveries.read_together(message.org, message.webhook_id, message.delivery_id,
                                                        (message.customer_id, message.event_id))
    if delivery is None or delivery.get("status") == "delivered":
        return None  # expired, or a duplicate message of a delivery that succeeded
    if webhook is None:
        _drop(message, "the webhook was deleted")
        return None
    if not webhook.get("isActive"):
        _drop(message, f"the webhook is switched off ({webhook.get('disabledReason') or 'by an admin'})")
        return None
    if event is None:
        _drop(message, "the event is no longer kept (30 days, or its customer was erased)")
        return None
    result = send(message.org, webhook, event)
    series = as_int(delivery.get("seriesAttempts")) + 1
    now = clock.now_iso()
    changes: Item = {"lastStatusCode": result.status_code, "lastError": result.error, "lastAttemptAt": now}
    if result.delivered:
        deliveries.record(message.org, message.webhook_id, message.delivery_id,
                          {**changes, "status": "delivered", "deliveredAt": now, "nextAttemptAt": None}, attempted=True)
        if as_int(webhook.get("consecutiveFailures")):
            subscriptions.reset_failures(message.org, message.webhook_id)
        _log(message, series, "delivered", result)
        return None
    delay = retry_delay(series, settings().retry_delays if schedule is None else schedule)
    if delay is not None:
        deliveries.record(message.org, message.webhook_id, message.delivery_id,
                          {**changes, "status": "pending", "nextAttemptAt": _later(delay)}, attempted=True)
        _log(message, series, "skipped" if result.outcome == "skipped" else "retrying", result, retry_in_s=delay)
        return delay
    deliveries.record(message.org, message.webhook_id, message.delivery_id,
                      {**changes, "status": "failed", "nextAttemptAt": None}, attempted=True)
    _log(message, series, "failed", result)
    _count_failure(message.org, message.webhook_id)
    return None


def _count_failure(org: str, webhook_id: str) -> None:
    run = subscriptions.count_failure(org, webhook_id)
    if run >= DISABLE_AFTER_FAILED_DELIVERIES:
        reason = f"{run} deliveries in a row failed after every retry; fix the endpoint, then set isActive to true."
        if subscriptions.deactivate(org, webhook_id, reason, clock.now_iso(), DISABLE_AFTER_FAILED_DELIVERIES):
            logger.warning("webhook switched off", extra={"org": org, "webhook_id": webhook_id, "failures": run})


def deliver_batch(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """An SQS batch, each message delivered at the same time as the others (one slow endpoint holds up no
    other message of the batch). Returns the ids of the messages to report as failed: those that retry
    later (already made visible at their time) and those that failed unexpectedly."""

    def one(record: Mapping[str, Any]) -> int | BaseException | None:
        try:
            return deliver(Message.parse(str(record["body"])))
        except Exception as exc:  # reported for this message alone; SQS brings it back after its timeout
            logger.exception("webhook delivery failed", extra={"message_id": record.get("messageId")})
            return exc

    if not records:
        return []
    with ThreadPoolExecutor(max_workers=len(records), thread_name_prefix="deliver") as pool:
        outcomes = list(pool.map(one, records))
    later = {str(record["receiptHandle"]): outcome for record, outcome in zip(records, outcomes, strict=True)
             if isinstance(outcome, int)}
    queue.retry_later(later)  # one SQS refused comes back after the queue's visibility timeout instead
    return [str(record["messageId"]) for record, outcome in zip(records, outcomes, strict=True) if outcome is not None]
