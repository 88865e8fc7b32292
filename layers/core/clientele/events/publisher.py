"""Publishing domain events to the project's EventBridge bus (``EVENT_BUS_NAME``).

The client is created on first use (``clientele.aws.client("events")``), never at import. Events
are sent ten (or 256 KB) to a ``PutEvents`` call; the indexes of the entries EventBridge refused come back so
the caller can retry just their sources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from clientele import aws
from clientele.config import config
from clientele.errors import ServiceUnavailable

SOURCE = "clientele"
_PER_CALL = 10
_REQUEST_BYTES = 250 * 1024  # PutEvents takes 256 KB a request; a margin for what the count leaves out


def _size(entry: Mapping[str, Any]) -> int:
    """An entry's size as PutEvents counts it (source, detail type and detail, in UTF-8 bytes)."""
    return sum(len(str(entry[name]).encode()) for name in ("Source", "DetailType", "Detail"))


def _chunks(entries: list[dict[str, Any]]) -> list[tuple[int, list[dict[str, Any]]]]:
    """(position of the first, entries) per call: at most ten, and at most 256 KB together (events that
    carry their resource, SPEC §11, are larger than ten fit in one request)."""
    chunks: list[tuple[int, list[dict[str, Any]]]] = []
    size = 0
    for position, entry in enumerate(entries):
        if not chunks or len(chunks[-1][1]) == _PER_CALL or size + _size(entry) > _REQUEST_BYTES:
            chunks.append((position, []))
            size = 0
        chunks[-1][1].append(entry)
        size += _size(entry)
    return chunks


def publish(events: Sequence[tuple[str, Mapping[str, Any]]], source: str = SOURCE) -> list[int]:
    """Send ``(detail type, detail)`` pairs; returns the positions of the ones that failed."""
    failed: list[int] = []
    if not events:
        return failed
    client = aws.client("events")
    bus = config().event_bus_name
    entries = [{"Source": source, "DetailType": detail_type, "EventBusName": bus,
                "Detail": json.dumps(detail, separators=(",", ":"), default=str)} for detail_type, detail in events]
    for start, chunk in _chunks(entries):
        response = client.put_events(Entries=chunk)
        if response.get("FailedEntryCount"):
            failed += [start + position for position, entry in enumerate(response.get("Entries") or [])
                       if entry.get("ErrorCode")]
    return failed


def publish_all(events: Sequence[tuple[str, Mapping[str, Any]]], source: str, unavailable: str) -> None:
    """Send every event, or raise ``ServiceUnavailable(unavailable)`` so that the caller's invocation
    fails and is retried (a job, the webhook: Intuit retries a failed notification)."""
    if publish(events, source):
        raise ServiceUnavailable(unavailable)
