"""``GET /integrations/quickbooks/sync``: what the QuickBooks sync job last did, and whether it runs now.

Kept apart from :mod:`clientele.services.quickbooks_sync` so the function answering this read (a
page polls it while a sync runs) imports neither the QuickBooks client nor the customer mapping and
upsert code (~110 ms of cold start).

One DynamoDB call: the state, lease and settings items, read together
(``store.quickbooks_sync.get_progress_and_settings``), so ``integrationEnabled`` is never stale.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from clientele import clock
from clientele.store import quickbooks_sync as store
from clientele.store.catalog import settings_from_item

NEVER_RUN = "never_run"
INTERRUPTED = "interrupted"
COUNTS = ("fetched", "created", "updated", "unchanged", "deactivated", "failed")
REFRESH_TOKEN_WARNING = timedelta(days=14)  # warn this long before the refresh token dies


def _token_warning(expires: datetime | None, now: datetime) -> dict[str, Any] | None:
    if expires is None or expires - now > REFRESH_TOKEN_WARNING:
        return None
    if expires <= now:
        message = (f"The QuickBooks refresh token expired at {expires.isoformat()}: reconnect the QuickBooks "
                   "company (OAuth) to resume the sync.")
    else:
        message = (f"The QuickBooks refresh token expires at {expires.isoformat()} (in {(expires - now).days} "
                   "day(s)): reconnect the QuickBooks company (OAuth) before then, or the sync stops.")
    return {"remoteId": None, "message": message}


def _rows(stored: Any) -> list[dict[str, Any]]:
    return [{"remoteId": str(row.get("remoteId") or ""), "message": str(row.get("message") or "")}
            for row in stored or [] if isinstance(row, dict)]


def _pending_merges(stored: Any) -> list[dict[str, Any]]:
    """One per merged-away id (Intuit retries notifications; the latest wins), oldest first."""
    merges: dict[str, dict[str, Any]] = {}
    for merge in stored or []:
        if isinstance(merge, dict) and merge.get("deletedId"):
            merges.pop(str(merge["deletedId"]), None)
            merges[str(merge["deletedId"])] = {"deletedId": str(merge["deletedId"]),
                                               "survivorId": str(merge.get("survivorId") or ""),
                                               "receivedAt": merge.get("receivedAt")}
    return list(merges.values())


def progress(org: str) -> dict[str, Any]:
    """The sync's state as stored by the job (status running | continuing | completed |
    completed_with_errors | failed; ``never_run`` before the first run; ``interrupted`` for a run that
    ended without recording its outcome), ``running`` while a run holds the lease, and
    whether the integration is on (enabled, provider ``quickbooks``, a realm id); ``warnings`` holds the
    last run's (values left out) and, within :data:`REFRESH_TOKEN_WARNING` of ``refreshTokenExpiresAt``,
    one without a ``remoteId`` asking for a reconnect; ``pendingMerges`` the QuickBooks merges notified
    and not yet applied here."""
    state, lease, settings_item = store.get_progress_and_settings(org)
    settings = settings_from_item(settings_item) if settings_item is not None else None
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
    refresh_expires = clock.parse_iso(stored.get("refreshTokenExpiresAt"))
    warnings = [{"remoteId": str(row["remoteId"]), "message": row["message"]} for row in _rows(stored.get("warnings"))]
    token_warning = _token_warning(refresh_expires, datetime.now(UTC))
    if token_warning is not None:
        warnings.insert(0, token_warning)
    return {
        "status": status,
        "running": running,
        "mode": stored.get("mode"),
        "changedSince": stored.get("changedSince"),
        "lastRunAt": stored.get("lastRunAt"),
        "lastSuccessAt": stored.get("lastSuccessAt"),
        "counts": {name: int(counts.get(name) or 0) for name in COUNTS} if isinstance(counts, dict) else None,
        "errors": _rows(stored.get("errors")),
        "warnings": warnings,
        "refreshTokenExpiresAt": stored.get("refreshTokenExpiresAt") if refresh_expires else None,
        "pendingMerges": _pending_merges(stored.get("pendingMerges")),
        "error": error,
        "fullResyncRequested": stored.get("fullRequested") is True,
        "integrationEnabled": settings is not None and settings.quickbooks_realm is not None,
    }
