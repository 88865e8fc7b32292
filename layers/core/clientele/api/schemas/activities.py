"""Activities and tasks."""

from __future__ import annotations

from clientele.api.schemas import Schema


class Activity(Schema):
    id: str
    customerId: str | None
    type: str
    occurredAt: str
    title: str | None
    body: str | None
    dueDate: str | None
    status: str | None
    completedAt: str | None
    customerProjectId: str | None
    attendees: list[str]
    version: int
    createdAt: str | None
    updatedAt: str | None


class ActivityPage(Schema):
    items: list[Activity]
    nextCursor: str | None
