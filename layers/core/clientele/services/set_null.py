"""SET NULL fan-out (SPEC §4.2): after a segment, broker or category is deleted, every customer that
had it loses the reference (and gets a new version), page by page through the facet index.

Resumable by construction: a cleared customer leaves the facet index, so a run that stops early
(out of time) and starts again continues where the work is; each update is conditional on the
customer still referencing the deleted id, so a repeated run changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable

from clientele import clock
from clientele.domain.references import SET_NULL_KINDS
from clientele.store import references as store


class Incomplete(Exception):
    """Stopped before every reference was cleared (out of time); running again continues."""


def clear_references(org: str, kind: str, entry_id: str, *, out_of_time: Callable[[], bool] = lambda: False) -> int:
    """Clear every reference to the deleted entry; returns how many customers changed."""
    field_name = SET_NULL_KINDS[kind]
    cleared = 0
    start = None
    while True:
        page = store.customers_referencing(org, field_name, entry_id, start)
        for item in page.items:
            if out_of_time():
                raise Incomplete(f"cleared {cleared} {field_name} references to {entry_id}; more remain")
            cleared += store.clear_reference(org, str(item["id"]), field_name, entry_id, clock.now_iso())
        if not page.last_key:
            return cleared
        start = page.last_key
