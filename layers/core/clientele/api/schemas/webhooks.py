"""Webhook subscriptions, their delivery log, and the changes feed (SPEC §11)."""

from __future__ import annotations

from clientele.api.schemas import Schema


class Webhook(Schema):
    id: str
    url: str
    events: list[str]
    description: str | None
    isActive: bool
    disabledReason: str | None
    consecutiveFailures: int
    previousSecretExpiresAt: str | None
    version: int
    createdAt: str | None
    updatedAt: str | None


class WebhookWithSecret(Webhook):
    """The subscription with its signing secret, shown only when it is created and when it is rotated."""

    secret: str


class WebhookList(Schema):
    items: list[Webhook]


class WebhookDelivery(Schema):
    id: str
    eventId: str | None
    eventType: str | None
    status: str
    attempts: int
    lastStatusCode: int | None
    lastError: str | None
    createdAt: str | None
    lastAttemptAt: str | None
    nextAttemptAt: str | None
    deliveredAt: str | None


class WebhookDeliveryPage(Schema):
    items: list[WebhookDelivery]
    nextCursor: str | None


class ChangeEntry(Schema):
    id: str
    type: str
    action: str
    entityId: str
    customerId: str | None
    version: int
    occurredAt: str | None


class ChangePage(Schema):
    """``nextCursor`` is always present: poll with it to get what changed since."""

    items: list[ChangeEntry]
    nextCursor: str
