"""The fan-out: one domain event from the bus → one delivery per active subscription that wants it, each
its own SQS message (``queue.send``), so each retries on its own schedule and a slow or dead endpoint
delays no other (ARCHITECTURE §7).

Cost per event: one Query (the org's subscriptions); for an event somebody wants, one PutItem for the
payload, one conditional PutItem per subscription and one SendMessageBatch per ten.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clientele import clock
from clientele.domain.previous_values import changes_only_bookkeeping
from clientele.domain.webhooks import (
    DELIVERY_RETENTION_SECONDS,
    EVENT_OF_DOMAIN_EVENT,
    delivery_id,
    event_id,
    payload,
    subscribes_to,
)
from clientele.services.webhooks import queue
from clientele.store import webhook_deliveries as deliveries
from clientele.store import webhooks as subscriptions
from clientele.store.table import Item

_BOOKKEEPING = frozenset({"eventId", "orgId"})


def webhook_payload(event_type: str, detail: Mapping[str, Any]) -> dict[str, Any]:
    """The body a receiver gets for a domain event's detail (``object``/``previous`` from the stream)."""
    raw_object, raw_previous = detail.get("object"), detail.get("previous")
    # An event published without its resource (CustomersMerged names ids only) is delivered as it is.
    obj: Mapping[str, Any] = raw_object if isinstance(raw_object, Mapping) else {
        name: value for name, value in detail.items() if name not in _BOOKKEEPING}
    previous: Mapping[str, Any] = raw_previous if isinstance(raw_previous, Mapping) else {}
    occurred = str(detail.get("occurredAt") or clock.now_iso())
    return payload(event_id(str(detail.get("eventId"))), event_type, occurred, obj, previous)


def _millis(iso: str) -> int:
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return int(time.time() * 1000)


def new_delivery(webhook_id: str, body: Mapping[str, Any], now: str, customer_id: str | None) -> Item:
    """A pending delivery of ``body`` to the subscription, with its time-ordered, deterministic id."""
    return {"id": delivery_id(webhook_id, str(body["id"]), _millis(str(body["occurredAt"]))),
            "webhookId": webhook_id, "eventId": body["id"], "eventType": body["type"], "customerId": customer_id,
            "status": "pending", "attempts": 0, "seriesAttempts": 0, "createdAt": now, "nextAttemptAt": now}


def fan_out(detail_type: str, detail: Mapping[str, Any]) -> int:
    """Queue the event for every subscription that wants it; returns how many deliveries were queued."""
    event_type = EVENT_OF_DOMAIN_EVENT.get(detail_type)
    org = detail.get("orgId")
    if event_type is None or not isinstance(org, str):
        return 0
    previous = detail.get("previous")
    if event_type == "customer.updated" and isinstance(previous, Mapping) and changes_only_bookkeeping(previous):
        return 0  # a contact's change moved the customer's version: contact.* tells that story
    wanted = [item for item in subscriptions.list_webhooks(org)
              if item.get("isActive") and subscribes_to(item.get("events") or [], event_type)]
    if not wanted:
        return 0
    body = webhook_payload(event_type, detail)
    customer = detail.get("customerId") if isinstance(detail.get("customerId"), str) else None
    expires = int(time.time()) + DELIVERY_RETENTION_SECONDS
    text = json.dumps(body, separators=(",", ":"), default=str)
    deliveries.put_event(org, customer, body["id"], event_type, text, expires)
    now = clock.now_iso()
    queued = []
    for subscription in wanted:
        delivery = new_delivery(subscription["id"], body, now, customer)
        existing = deliveries.create_delivery(org, delivery, expires)
        # A replayed fan-out leaves a delivery that was made before alone, unless it never got as far as an
        # attempt (the earlier fan-out may have stopped before its message was sent).
        if existing is None or not existing.get("attempts"):
            queued.append(queue.Message(org, subscription["id"], delivery["id"], body["id"], customer))
    queue.send(queued)
    return len(queued)
