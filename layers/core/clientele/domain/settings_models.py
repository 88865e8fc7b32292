"""The request model of PUT /settings (SPEC §4.1): the whole document, omitted fields take defaults.

Kept apart from :mod:`clientele.domain.settings` (read by every function through the catalog) so
that only the settings handlers build this model.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from clientele.domain.countries import alpha_2_code
from clientele.domain.currencies import DEFAULT_CURRENCY, normalise_currency

# The document's fields as the settings item stores them (None = attribute absent).
SETTINGS_FIELDS = ("defaultCountry", "defaultAreaCode", "customerIntegrationEnabled", "integrationProvider",
                   "quickbooksRealmId", "defaultCurrency")
_AREA_CODE = re.compile(r"[0-9]{1,5}")
_REALM_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class SettingsDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaultCountry: Annotated[str, StringConstraints(max_length=8)] = "US"
    defaultAreaCode: Annotated[str, StringConstraints(max_length=16)] | None = None
    customerIntegrationEnabled: StrictBool = False
    integrationProvider: Literal["quickbooks"] | None = None
    quickbooksRealmId: Annotated[str, StringConstraints(max_length=64)] | None = None
    defaultCurrency: Annotated[str, StringConstraints(max_length=8)] = DEFAULT_CURRENCY
    # Echoed back from a GET; ignored (the version to replace comes from If-Match).
    version: Any = Field(default=None, exclude=True)
    # Read-only (derived from customerIntegrationEnabled), echoed back from a GET; ignored.
    integrationOwnedFields: Any = Field(default=None, exclude=True)

    @field_validator("defaultCountry")
    @classmethod
    def _country(cls, value: str) -> str:
        country = alpha_2_code(value)  # the setting is the code itself (SPEC §4.1), names are not taken
        if country is None:
            raise PydanticCustomError("country", "Use an ISO 3166-1 alpha-2 code such as US or KN.")
        return country

    @field_validator("defaultCurrency")
    @classmethod
    def _currency(cls, value: str) -> str:
        currency = normalise_currency(value)
        if currency is None:
            raise PydanticCustomError("currency", "Use an ISO 4217 currency code such as USD or EUR.")
        return currency

    @field_validator("defaultAreaCode")
    @classmethod
    def _area_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _AREA_CODE.fullmatch(value.strip()):
            raise PydanticCustomError("area_code", "Use 1 to 5 digits (the local area code), or null.")
        return value.strip()

    @field_validator("quickbooksRealmId")
    @classmethod
    def _realm(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _REALM_ID.fullmatch(value.strip()):
            raise PydanticCustomError("realm_id", "Use the QuickBooks company id (letters, digits, . _ -) "
                                                  "or null.")
        return value.strip()

    def stored(self) -> dict[str, Any]:
        """The document as the settings item holds it (None = absent)."""
        return {name: getattr(self, name) for name in SETTINGS_FIELDS}
