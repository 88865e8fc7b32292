"""The QuickBooks sync's progress and the answer to a sync request."""

from __future__ import annotations

from pydantic import Field

from clientele.api.schemas import Schema


class SyncCounts(Schema):
    fetched: int
    created: int
    updated: int
    unchanged: int
    deactivated: int
    failed: int


class SyncRowError(Schema):
    remoteId: str
    message: str


class SyncWarning(Schema):
    remoteId: str | None = Field(description="The QuickBooks customer id; null for a warning about the connection")
    message: str


class PendingMerge(Schema):
    deletedId: str = Field(description="The QuickBooks id of the customer merged away")
    survivorId: str = Field(description="The QuickBooks id of the customer it was merged into")
    receivedAt: str | None = Field(description="When the merge notification arrived")


class QuickBooksSyncStatus(Schema):
    """The QuickBooks sync's last recorded state (as the job stores it) and whether a run holds the lease."""

    status: str = Field(description="never_run, running, continuing, completed, completed_with_errors, "
                        "failed, or interrupted (the last run ended without recording its outcome)")
    running: bool = Field(description="A run holds the org's sync lease right now")
    mode: str | None = Field(description="cdc, full or ids (webhook-named customers)")
    changedSince: str | None = Field(description="The watermark: the next CDC run asks for changes since then")
    lastRunAt: str | None
    lastSuccessAt: str | None
    counts: SyncCounts | None = Field(description="The last run's counts (null before the first run)")
    errors: list[SyncRowError] = Field(description="The first rows the last run could not sync")
    warnings: list[SyncWarning] = Field(
        description="Values the last run left out (e.g. a country that names no ISO country) and, within 14 "
                    "days of refreshTokenExpiresAt, a reconnect warning (remoteId null)")
    refreshTokenExpiresAt: str | None = Field(
        description="When the QuickBooks refresh token expires (Intuit's x_refresh_token_expires_in); reconnect "
                    "the company before then")
    pendingMerges: list[PendingMerge] = Field(
        description="Customer merges QuickBooks notified (webhook) that are not applied here yet")
    error: str | None = Field(description="Why the last run failed (status failed)")
    fullResyncRequested: bool = Field(
        description="A full resync was asked for while a run held the lease; it starts when that run ends")
    integrationEnabled: bool = Field(
        description="customerIntegrationEnabled with integrationProvider quickbooks and a quickbooksRealmId")


class SyncRequested(Schema):
    status: str
