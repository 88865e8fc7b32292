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
INTERRUPTED = "interrupted"
COUNTS = ("fetched", "created", "updated", "unchanged", "deactivated", "failed")


def progress(org: str) -> dict[str, Any]:
    """The sync's state as stored by the job (status running | continuing | completed |
    completed_with_errors | failed; ``never_run`` before the first run; ``interrupted`` for a run that
    ended without recording its outcome), ``running`` while a run holds the lease, and
    whether the integration is on (enabled, provider ``quickbooks``, a realm id)."""
    state, lease = store.get_progress(org)
    settings = orgs.catalog(org).settings
    stored = state or {}
    counts = stored.get("counts")
    running = store.lease_held(lease)
    status = str(stored.get("status") or NEVER_RUN)
    error = stored.get("error")
    if status == "running" and not running:
        # A run writes its outcome in the transaction that releases its lease, so "running" with no
        # lease held means its invocation ended before it could (killed, out of memory).
        status = INTERRUPTED
        error = error or ("The last run stopped before it finished. The next run (scheduled, or POST "
                          "/integrations/quickbooks/sync) fetches everything changed since the watermark.")
    return {
        "status": status,
        "running": running,
        "mode": stored.get("mode"),
        "changedSince": stored.get("changedSince"),
        "lastRunAt": stored.get("lastRunAt"),
        "lastSuccessAt": stored.get("lastSuccessAt"),
        "counts": {name: int(counts.get(name) or 0) for name in COUNTS} if isinstance(counts, dict) else None,
        "errors": [{"remoteId": str(error.get("remoteId") or ""), "message": str(error.get("message") or "")}
                   for error in stored.get("errors") or [] if isinstance(error, dict)],
        "error": error,
        "fullResyncRequested": stored.get("fullRequested") is True,
        "integrationEnabled": settings is not None and settings.quickbooks_realm is not None,
    }
