"""Domain events that carry their resource (SPEC §11): contact events, and — for every event whose
projector names its change (``DomainEvent.resource``) — the resource as ``GET`` shows it (``object``),
the earlier values of what changed (``previous``) and when it happened (``occurredAt``), added by the
writer just before publishing (presenting a customer reads its org's catalog once per batch)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from clientele import clock
from clientele.streams.writes import DomainEvent, Write

Image = Mapping[str, Any]
CONTACT = "contact"


def contact_events(old: Image | None, new: Image | None) -> list[Write]:
    """ContactCreated|Updated|Deleted, with an ``eventId`` (type, id, version) like the other events."""
    from clientele.streams.projectors import entity_of, org_of, version_of  # (projectors registers this one)

    if entity_of(old, new) != CONTACT or (old is not None and new is not None and version_of(old) == version_of(new)):
        return []
    image = new if new is not None else old
    assert image is not None
    kind = "ContactCreated" if old is None else "ContactDeleted" if new is None else "ContactUpdated"
    version = version_of(image) if new is not None else version_of(old) + 1
    detail = {"eventId": f"{kind}:{image['id']}:{version}", "orgId": org_of(image), "contactId": image["id"],
              "customerId": image.get("customerId"), "version": version}
    return [DomainEvent(kind, detail, resource=(CONTACT, old, new))]


def with_representations(events: list[tuple[DomainEvent, str]]) -> list[tuple[DomainEvent, str]]:
    """The events with ``object``, ``previous`` and ``occurredAt`` in their detail (those naming a resource)."""
    if not any(event.resource is not None for event, _ in events):
        return events
    from clientele.services.webhooks.objects import Catalogs, describe
    from clientele.streams.projectors import org_of

    catalogs = Catalogs()
    described = []
    for event, source in events:
        if event.resource is None:
            described.append((event, source))
            continue
        entity, old, new = event.resource
        image = new if new is not None else old
        assert image is not None
        obj, previous = describe(entity, org_of(image), old, new, catalogs)
        occurred = (new or {}).get("updatedAt") or clock.now_iso()
        detail = {**event.detail, "object": obj, "previous": previous, "occurredAt": occurred}
        described.append((replace(event, detail=detail), source))
    return described
