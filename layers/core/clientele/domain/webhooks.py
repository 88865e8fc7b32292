"""Webhooks (SPEC §11): what a subscription may ask for, how deliveries are signed and paced.

No I/O here: the URL rules are in ``domain.webhook_urls``, the delivery itself in
``integrations.webhook_http`` and the use cases in ``services.webhooks``.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from clientele.domain.fields import Echoes

EventType = Literal[
    "customer.created", "customer.updated", "customer.deleted", "customer.restored", "customer.merged",
    "customer.erased", "contact.created", "contact.updated", "contact.deleted", "sales_order.created",
    "sales_order.updated", "*",
]
ALL_EVENTS = "*"
EVENT_TYPES: tuple[str, ...] = tuple(name for name in EventType.__args__ if name != ALL_EVENTS)  # type: ignore[attr-defined]
PING = "ping"  # the type of POST /webhooks/{id}/ping's delivery; never subscribed to

# The domain events on the project's bus (detail-type) and the webhook event each becomes.
EVENT_OF_DOMAIN_EVENT: dict[str, str] = {
    "CustomerCreated": "customer.created",
    "CustomerUpdated": "customer.updated",
    "CustomerDeleted": "customer.deleted",
    "CustomerRestored": "customer.restored",
    "CustomersMerged": "customer.merged",
    "CustomerMerged": "customer.merged",
    "CustomerErased": "customer.erased",
    "ContactCreated": "contact.created",
    "ContactUpdated": "contact.updated",
    "ContactDeleted": "contact.deleted",
    "SalesOrderCreated": "sales_order.created",
    "SalesOrderUpdated": "sales_order.updated",
}

MAX_WEBHOOKS_PER_ORG = 20
DISABLE_AFTER_FAILED_DELIVERIES = 50
SECRET_OVERLAP_SECONDS = 24 * 60 * 60  # a rotated-out secret keeps signing this long
DELIVERY_RETENTION_SECONDS = 30 * 24 * 60 * 60
ATTEMPT_SECONDS = 10  # a 2xx within this (DNS, connect, TLS, request, response) is delivered
# Seconds before retry n (n = 1..): the first within a minute, then growing; the attempts span more than
# 24 h (about 32.4 h over 10 attempts). Each step, jitter included, stays under SQS's 12-hour visibility
# ceiling, since a retry is the same message made visible again (docs/decisions.md).
RETRY_DELAYS_SECONDS: tuple[int, ...] = (30, 120, 600, 1800, 3600, 10800, 21600, 39000, 39000)
_JITTER = 0.1  # up to +10 %: retries of a burst do not hit the endpoint in lockstep, never earlier

DeliveryStatus = Literal["pending", "delivered", "failed"]
DELIVERY_STATUSES: tuple[str, ...] = DeliveryStatus.__args__  # type: ignore[attr-defined]

Url = Annotated[str, StringConstraints(max_length=2048)]
Description = Annotated[str, StringConstraints(max_length=500)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES) + 1)]


class WebhookFields(Echoes):
    """Every writable field of a subscription, all optional (PATCH); create requires ``url`` and ``events``."""

    ECHOED = Echoes.ECHOED | {"disabledReason", "consecutiveFailures", "previousSecretExpiresAt"}

    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    isActive: bool | None = None

    disabledReason: Any = Field(default=None, exclude=True)
    consecutiveFailures: Any = Field(default=None, exclude=True)
    previousSecretExpiresAt: Any = Field(default=None, exclude=True)


class WebhookCreate(WebhookFields):
    url: Url
    events: Events
    isActive: bool = True

    def provided(self) -> dict[str, Any]:
        return {**super().provided(), "isActive": self.isActive}


def normalise_events(events: Sequence[str]) -> list[str]:
    """Each type once, in the order of EVENT_TYPES; ``*`` (every type, also those added later) alone."""
    chosen = set(events)
    if ALL_EVENTS in chosen:
        return [ALL_EVENTS]
    return [name for name in EVENT_TYPES if name in chosen]


def subscribes_to(events: Sequence[str], event_type: str) -> bool:
    return event_type in events or ALL_EVENTS in events


# --- signing ---------------------------------------------------------------------------------------------


def signature(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``, one ``v1`` per active secret (newest first),
    so a receiver that still holds the secret before a rotation keeps verifying for the overlap."""
    signed = f"{timestamp}.".encode() + body
    parts = [f"t={timestamp}"]
    parts += [f"v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}" for secret in secrets]
    return ",".join(parts)


def verify(header: str, secret: str, body: bytes) -> bool:
    """What a receiver does (the tests and the docs use it): some ``v1`` matches the HMAC under ``secret``."""
    fields = [part.partition("=") for part in header.split(",")]
    timestamps = [value for name, _, value in fields if name == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    expected = signature([secret], int(timestamps[0]), body).split(",")[1].removeprefix("v1=")
    return any(name == "v1" and hmac.compare_digest(value, expected) for name, _, value in fields)


# --- ids and pacing --------------------------------------------------------------------------------------

_EVENT_NAMESPACE = uuid.UUID("7d0b8f0e-2c1a-4f3e-9a57-0c1e11e7e1e5")


def event_id(domain_event_id: str) -> str:
    """The webhook event id of a domain event (``CustomerUpdated:<id>:<version>``): the same on every
    redelivery of the domain event, so a receiver can drop the duplicates at-least-once brings."""
    return str(uuid.uuid5(_EVENT_NAMESPACE, domain_event_id))


def delivery_id(webhook_id: str, event: str, occurred_ms: int) -> str:
    """A UUID (version 7 layout) whose first 48 bits are the event's time and the rest a hash of
    (subscription, event): deliveries sort by time in their partition, and a replayed fan-out finds the
    delivery it made before instead of making another."""
    digest = int.from_bytes(hashlib.sha256(f"{webhook_id}:{event}".encode()).digest()[:10], "big")
    value = (occurred_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (digest >> 68 & 0xFFF) << 64
    value |= 0b10 << 62 | digest & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def retry_delay(attempt: int, schedule: Sequence[int] = RETRY_DELAYS_SECONDS,
                rng: random.Random | None = None) -> int | None:
    """Seconds to wait after failed attempt ``attempt`` (1-based) of a series, or None when it was the last."""
    if attempt < 1 or attempt > len(schedule):
        return None
    base = schedule[attempt - 1]
    jitter = (rng or random).uniform(0, _JITTER * base)
    return int(base + jitter)


def attempts_allowed(schedule: Sequence[int] = RETRY_DELAYS_SECONDS) -> int:
    return len(schedule) + 1


def payload(event: str, event_type: str, occurred_at: str, obj: Mapping[str, Any],
            previous: Mapping[str, Any]) -> dict[str, Any]:
    """The body every delivery POSTs (SPEC §11)."""
    return {"id": event, "type": event_type, "occurredAt": occurred_at,
            "data": {"object": dict(obj), "previous": dict(previous)}}
