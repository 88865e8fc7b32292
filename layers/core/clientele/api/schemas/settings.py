"""The organisation's settings."""

from __future__ import annotations

from clientele.api.schemas import Schema


class Settings(Schema):
    defaultCountry: str
    defaultAreaCode: str | None
    customerIntegrationEnabled: bool
    integrationProvider: str | None
    quickbooksRealmId: str | None
    version: int
