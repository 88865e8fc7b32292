"""The changes feed's projector and writer (SPEC §11): one entry per version of each customer, contact
and sales order — ``created``, ``updated``, ``deleted``, ``restored`` (``merged``/``erased`` when a change
sets ``mergedInto``/``erasedAt``) — written in the order the records arrive, which per item is version
order. ``store.changes`` keys them by the time they are written, so a reader never skips one that a
parallel shard wrote late (docs/decisions.md).

A removal (a contact deleted) is the entity's next change: its entry has the version after the last.
A replayed record writes its entry again (a duplicate with the same ``id``): the feed is at least once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from clientele import clock
from clientele.domain.changes import CHANGE_TYPES, RETENTION_SECONDS, action_of
from clientele.store.changes import FeedEntry

logger = logging.getLogger("clientele.streams")

Image = Mapping[str, Any]
_ENTRY_NAMESPACE = uuid.UUID("2f6c1f55-8b0e-4c55-9d3a-6b8f3c0de7a1")


def entry_id(entity: str, entity_id: str, version: int) -> str:
    return str(uuid.uuid5(_ENTRY_NAMESPACE, f"{entity}:{entity_id}:{version}"))


def changes_feed(old: Image | None, new: Image | None) -> list[Any]:
    from clientele.streams.projectors import entity_of, org_of, version_of  # (projectors registers this one)

    entity = entity_of(old, new)
    if entity not in CHANGE_TYPES or (old is not None and new is not None and version_of(old) == version_of(new)):
        return []
    image = new if new is not None else old
    assert image is not None
    version = version_of(new) if new is not None else version_of(old) + 1
    customer_id = image.get("id") if entity == "customer" else image.get("customerId")
    occurred = (new or {}).get("updatedAt") or clock.now_iso()
    return [FeedEntry(org_of(image), entry_id(entity, str(image["id"]), version), entity, action_of(old, new),
                   str(image["id"]), str(customer_id) if customer_id else None, version, str(occurred))]


def write(entries: Iterable[tuple[FeedEntry, str]], fail: Any) -> int:
    """Append the batch's entries in record order; on an error, ``fail(sources, error)`` for the entries not
    known to be written. Returns how many were written."""
    from clientele.services.changes import settle_seconds
    from clientele.store import changes as store

    pending = list(entries)
    if not pending:
        return 0
    try:
        rewritten = store.append([entry for entry, _ in pending], settle_seconds=settle_seconds(),
                                 retention_seconds=RETENTION_SECONDS)
    except Exception as exc:  # the records come back; their entries are written again (at least once)
        logger.warning("changes feed entries not written: %s", exc)
        fail({source for _, source in pending}, exc)
        return 0
    if rewritten:
        logger.info("changes feed entries re-stamped after a slow write", extra={"entries": rewritten})
    return len(pending)
