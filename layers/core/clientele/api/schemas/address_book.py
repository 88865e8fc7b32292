"""Address book entries."""

from __future__ import annotations

from clientele.api.schemas import Schema


class AddressEntry(Schema):
    id: str
    label: str
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postcode: str | None
    country: str | None
    version: int
    createdAt: str | None
    updatedAt: str | None


class AddressEntryPage(Schema):
    items: list[AddressEntry]
    nextCursor: str | None
