"""The QuickBooks Online customer sync job (SPEC §5.3).

* ``Scheduled Event`` (EventBridge schedule): one ``QuickBooksSyncRequested`` per org with the
  integration on is put on the bus; each comes back here as its own invocation.
* ``QuickBooksSyncRequested`` ``{org[, realmId][, full]}``: CDC since the watermark (or a full resync).
* ``QuickBooksCustomersChanged`` ``{org, realmId, customerIds[, deletedIds]}`` (the webhook): just those
  customers; ``deletedIds`` are soft-deleted without calling QuickBooks.
"""

import logging
from typing import Any

from clientele import observability
from clientele.services import quickbooks_sync, request_scope

logger = logging.getLogger("clientele")


@request_scope.per_request  # one consistent catalog read per invocation, never carried to the next
def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    detail_type = event.get("detail-type")
    raw_detail = event.get("detail")
    detail: dict[str, Any] = raw_detail if isinstance(raw_detail, dict) else {}
    if detail_type == "Scheduled Event":
        return {"requested": quickbooks_sync.request_all()}
    org = detail.get("org")
    if not isinstance(org, str) or not org or detail_type not in (quickbooks_sync.SYNC_REQUESTED,
                                                                   quickbooks_sync.CUSTOMERS_CHANGED):
        logger.warning("not a QuickBooks sync event: %s", detail_type)
        return {"processed": False}
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    time_left = (lambda: remaining() / 1000) if callable(remaining) else None
    realm_id = detail.get("realmId")
    if detail_type == quickbooks_sync.CUSTOMERS_CHANGED:
        ids, deleted = detail.get("customerIds"), detail.get("deletedIds")
        outcome = quickbooks_sync.sync(org, realm_id=realm_id, time_left=time_left,
                                       customer_ids=[str(value) for value in ids] if isinstance(ids, list) else [],
                                       deleted_ids=[str(value) for value in deleted] if isinstance(deleted, list)
                                       else [])
    else:
        outcome = quickbooks_sync.sync(org, realm_id=realm_id, full=detail.get("full") is True, time_left=time_left)
    observability.count("SyncRuns", outcome=outcome.status)
    return {"processed": True, **outcome.as_dict()}


lambda_handler = observability.observe_job(_handle, "quickbooks_sync")
