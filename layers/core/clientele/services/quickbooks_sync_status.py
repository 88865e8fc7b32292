"""``GET /integrations/quickbooks/sync``: what the QuickBooks sync job last did, and whether it runs now.

Kept apart from :mod:`clientele.services.quickbooks_sync` so the function answering this read (a
page polls it while a sync runs) imports neither the QuickBooks client nor the customer mapping and
upsert code (~110 ms of cold start).

One DynamoDB call: the state and lease items, read together (``store.quickbooks_sync.get_progress``);
the settings come from the cached org catalog.
"""

from __future__ import annotations

from typing import Any

from clientele.services import orgs
from clientele.store import quickbooks_sync as store

NEVER_RUN = "never_run"
COUNTS = ("fetched", "created", "updated", "unchanged", "deactivated", "failed")


def progress(org: str) -> dict[str, Any]:
    """The sync's state as stored by the job (status running | continuing | completed |
    completed_with_errors | failed, or ``never_run``), ``running`` while a run holds the lease, and
    whether the integration is on (enabled, provider ``quickbooks``, a realm id)."""
    state, lease = store.get_progress(org)
    settings = orgs.catalog(org).settings
    stored = state or {}
    counts = stored.get("counts")
    return {
        "status": str(stored.get("status") or NEVER_RUN),
        "running": store.lease_held(lease),
        "mode": stored.get("mode"),
        "changedSince": stored.get("changedSince"),
        "lastRunAt": stored.get("lastRunAt"),
        "lastSuccessAt": stored.get("lastSuccessAt"),
        "counts": {name: int(counts.get(name) or 0) for name in COUNTS} if isinstance(counts, dict) else None,
        "errors": [{"remoteId": str(error.get("remoteId") or ""), "message": str(error.get("message") or "")}
                   for error in stored.get("errors") or [] if isinstance(error, dict)],
        "error": stored.get("error"),
        "fullResyncRequested": stored.get("fullRequested") is True,
        "integrationEnabled": settings is not None and settings.quickbooks_realm is not None,
    }
