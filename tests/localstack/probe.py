"""Handlers for the local runtime's own tests (not in template.yaml): they read and change
module-level state of the layer, which a container must not share with any other."""

from __future__ import annotations

import time
from typing import Any


def remember(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """Add ``event['org']`` to the layer's per-container set of provisioned orgs; answer what the
    set holds now (after an optional pause, so a concurrent request needs a second container)."""
    from clientele.services import orgs

    orgs._provisioned.add(str(event["org"]))
    time.sleep(float(event.get("pause", 0)))
    return {"orgs": sorted(orgs._provisioned)}


def fail(_event: dict[str, Any], _context: Any) -> None:
    raise LookupError("the probe failed on purpose")
