"""What projectors produce: plain, hashable descriptions of derived writes (no I/O here). The index
entries and counter contributions the store applies are defined in store/writes.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clientele.store.changes import FeedEntry
from clientele.store.writes import Contribution, IndexEntry


@dataclass(frozen=True)
class DomainEvent:
    detail_type: str
    detail: Mapping[str, Any]
    # (org, customer id) whose current email list the writer attaches as ``customerEmails``.
    customer_emails_of: tuple[str, str] | None = None
    # (entity, old image, new image) of the change, which the writer presents as the event's ``object`` and
    # ``previous`` (what a webhook delivers: streams/resource_events.py).
    resource: tuple[str, Mapping[str, Any] | None, Mapping[str, Any] | None] | None = field(
        default=None, compare=False, hash=False)


@dataclass(frozen=True)
class ClearReferences:
    """SET NULL: remove a deleted taxonomy entry's id from every customer that still has it."""

    org: str
    kind: str
    entry_id: str


Write = IndexEntry | Contribution | DomainEvent | ClearReferences | FeedEntry
