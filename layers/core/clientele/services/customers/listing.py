"""GET /customers: one Query per page on the most selective filter sent."""

from __future__ import annotations

from typing import Any

from clientele import cursors
from clientele.domain.names import sort_name
from clientele.services import orgs
from clientele.services.customers.records import present
from clientele.store import customers as store

# Most selective first: the list Query runs on the first filter present; the rest filter the page.
_INDEX_PREFERENCE = ("parentCustomerId", "brokerId", "customerSegmentId", "customerCategoryId", "paymentTermsId",
                     "customerTypeId", "accountState", "accountPriority")


def list_page(org: str, filters: dict[str, str | None], q: str | None, include_deleted: bool, limit: int,
              cursor: str | None) -> dict[str, Any]:
    active = {name: value for name, value in filters.items() if value}
    index_field = next((name for name in _INDEX_PREFERENCE if name in active), None)
    prefix = sort_name(q) if q and q.strip() else None
    scope = "customers|" + "|".join(f"{k}={v}" for k, v in sorted(active.items())) + f"|q={prefix}|d={include_deleted}"
    start = cursors.decode(org, scope, cursor)
    page = store.list_customers(
        org, index_field=index_field, index_value=active.get(index_field) if index_field else None,
        prefix=prefix, filters={k: v for k, v in active.items() if k != index_field},
        include_deleted=include_deleted, limit=limit, start=start,
    )
    catalog = orgs.catalog(org)
    return {"items": [present(item, catalog) for item in page.items],
            "nextCursor": cursors.encode(org, scope, page.last_key)}
