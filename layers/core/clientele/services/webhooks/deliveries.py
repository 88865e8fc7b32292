"""The delivery log of a subscription (kept 30 days), redelivery, and ping."""

from __future__ import annotations

import json
import time
from typing import Any

from clientele import clock, cursors
from clientele.domain.webhooks import DELIVERY_RETENTION_SECONDS, PING, event_id, payload
from clientele.errors import Conflict, NotFound
from clientele.services.lookups import found, require_uuid
from clientele.services.webhooks import delivery as attempts
from clientele.services.webhooks import queue
from clientele.services.webhooks.fanout import new_delivery
from clientele.services.webhooks.subscriptions import present as present_webhook
from clientele.store import webhook_deliveries as store
from clientele.store import webhooks as subscriptions
from clientele.store.table import Item, as_int

_SCOPE = "webhook-deliveries"


def present(record: Item) -> dict[str, Any]:
    return {
        "id": record["id"],
        "eventId": record.get("eventId"),
        "eventType": record.get("eventType"),
        "status": record.get("status", "pending"),
        "attempts": as_int(record.get("attempts")),
        "lastStatusCode": as_int(record["lastStatusCode"]) if record.get("lastStatusCode") is not None else None,
        "lastError": record.get("lastError"),
        "createdAt": record.get("createdAt"),
        "lastAttemptAt": record.get("lastAttemptAt"),
        "nextAttemptAt": record.get("nextAttemptAt"),
        "deliveredAt": record.get("deliveredAt"),
    }


def _webhook(org: str, webhook_id: str) -> Item:
    require_uuid(webhook_id, "webhook")
    return found(subscriptions.get_webhook(org, webhook_id), "webhook")


def list_page(org: str, webhook_id: str, status: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """Newest first, optionally of one status: the webhook's read, then one Query."""
    scope = f"{_SCOPE}:{webhook_id}:{status or ''}"
    start = cursors.decode(org, scope, cursor)
    _webhook(org, webhook_id)
    page = store.list_deliveries(org, webhook_id, status, limit=limit, start=start)
    return {"items": [present(item) for item in page.items], "nextCursor": cursors.encode(org, scope, page.last_key)}


def redeliver(org: str, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    """Send the delivery's event again, as a new series of attempts with the whole retry schedule."""
    require_uuid(webhook_id, "webhook")
    require_uuid(delivery_id, "delivery")
    delivery, webhook, _ = store.read_together(org, webhook_id, delivery_id, None)
    if webhook is None:
        raise NotFound("No such webhook.")
    if delivery is None:
        raise NotFound("No such delivery.")
    if not webhook.get("isActive"):
        raise Conflict("webhook_inactive", "The webhook is switched off; set isActive to true, then redeliver.")
    now = clock.now_iso()
    queued = store.record(org, webhook_id, delivery_id, {"status": "pending", "seriesAttempts": 0,
                                                         "nextAttemptAt": now}, attempted=False)
    queue.send([queue.Message(org, webhook_id, delivery_id, str(delivery.get("eventId")), delivery.get("customerId"))])
    return present(queued)


def ping(org: str, webhook_id: str) -> dict[str, Any]:
    """Deliver a ``ping`` event now (one attempt, no retries) and answer with its delivery as the log shows it.
    Works while the webhook is switched off, so an endpoint can be tested before it goes live."""
    webhook = _webhook(org, webhook_id)
    now = clock.now_iso()
    body = payload(event_id(f"ping:{clock.new_id()}"), PING, now, present_webhook(webhook), {})
    text = json.dumps(body, separators=(",", ":"), default=str)
    expires = int(time.time()) + DELIVERY_RETENTION_SECONDS
    store.put_event(org, None, body["id"], PING, text, expires)
    record = new_delivery(webhook_id, body, now, None)
    store.create_delivery(org, record, expires)
    result = attempts.send(org, webhook, {"id": body["id"], "type": PING, "body": text})
    done = clock.now_iso()
    outcome = {"status": "delivered" if result.delivered else "failed", "lastStatusCode": result.status_code,
               "lastError": result.error, "lastAttemptAt": done, "nextAttemptAt": None,
               "deliveredAt": done if result.delivered else None}
    return present(store.record(org, webhook_id, record["id"], outcome, attempted=True))
