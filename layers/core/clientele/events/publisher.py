"""Publishing domain events to the project's EventBridge bus (``EVENT_BUS_NAME``).

The client is created on first use (``clientele.aws.client("events")``), never at import. Events
are sent ten to a ``PutEvents`` call; the indexes of the entries EventBridge refused come back so
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


def publish(events: Sequence[tuple[str, Mapping[str, Any]]], source: str = SOURCE) -> list[int]:
    """Send ``(detail type, detail)`` pairs; returns the positions of the ones that failed."""
    failed: list[int] = []
    if not events:
        return failed
    client = aws.client("events")
    bus = config().event_bus_name
    for start in range(0, len(events), _PER_CALL):
        chunk = events[start:start + _PER_CALL]
        entries = [{"Source": source, "DetailType": detail_type, "EventBusName": bus,
                    "Detail": json.dumps(detail, separators=(",", ":"), default=str)}
                   for detail_type, detail in chunk]
        response = client.put_events(Entries=entries)
        if response.get("FailedEntryCount"):
            failed += [start + position for position, entry in enumerate(response.get("Entries") or [])
                       if entry.get("ErrorCode")]
    return failed


def publish_all(events: Sequence[tuple[str, Mapping[str, Any]]], source: str, unavailable: str) -> None:
    """Send every event, or raise ``ServiceUnavailable(unavailable)`` so that the caller's invocation
    fails and is retried (a job, the webhook: Intuit retries a failed notification)."""
    if publish(events, source):
        raise ServiceUnavailable(unavailable)
