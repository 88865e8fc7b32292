"""``GET /customers/{id}/children``: live children from the stream-maintained index (SPEC §4.3).

The index lags writes by the stream's delay; exact checks (``has_children``) use the parent's
``liveChildren`` counter instead."""

from __future__ import annotations

from typing import Any

from clientele import clock, cursors
from clientele.errors import NotFound
from clientele.services import orgs
from clientele.services.customers.records import present
from clientele.store import customers as customer_store
from clientele.store import derived


def children_page(org: str, customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One Query on the parent's partition (plus one GetItem when a first page is empty, to answer
    404 for a customer that is not there)."""
    if not clock.is_uuid(customer_id):
        raise NotFound("No such customer.")
    scope = f"children|{customer_id}"
    start = cursors.decode(org, scope, cursor)
    page = derived.list_children(org, customer_id, limit=limit, start=start)
    if start is None and not page.items and customer_store.get_customer(org, customer_id) is None:
        raise NotFound("No such customer.")
    catalog = orgs.catalog(org)
    # A child link is a copy made when the child's version moved; its open order value moves with each
    # order, not with the version, so the copy does not carry it (read the customer for it).
    return {"items": [{**present(item, catalog), "openOrderValue": None} for item in page.items],
            "nextCursor": cursors.encode(org, scope, page.last_key)}
