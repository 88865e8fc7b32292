"""The organisation's settings."""

from __future__ import annotations

from pydantic import Field

from clientele.api.schemas import Schema


class Settings(Schema):
    defaultCountry: str
    defaultAreaCode: str | None
    customerIntegrationEnabled: bool
    integrationProvider: str | None
    quickbooksRealmId: str | None
    defaultCurrency: str = Field(description="ISO 4217 code: the currency of new customers that name none "
                                             "(SPEC §13)")
    integrationOwnedFields: list[str] = Field(
        description="The customer fields the integration owns (read-only here) while customerIntegrationEnabled "
                    "is on; empty while it is off (SPEC §5.3)")
    version: int
