"""Organisation settings (SPEC §4.1)."""

from __future__ import annotations

from dataclasses import dataclass

from clientele.domain.currencies import DEFAULT_CURRENCY
from clientele.domain.phones import DialingContext

# SPEC §5.3: while customerIntegrationEnabled is on, the integrated system owns these customer fields
# (enforced by services.customers.ownership; listed by GET /settings as integrationOwnedFields).
INTEGRATION_OWNED_FIELDS: tuple[str, ...] = (
    "firstName", "lastName", "companyName", "emails", "phones", "billingAddress", "shippingAddress", "notes",
)


@dataclass(frozen=True, slots=True)
class OrgSettings:
    default_country: str = "US"
    default_area_code: str | None = None
    customer_integration_enabled: bool = False
    integration_provider: str | None = None
    quickbooks_realm_id: str | None = None
    default_currency: str = DEFAULT_CURRENCY  # SPEC §13: new customers' currency unless they name one
    version: int = 1
    updated_at: str | None = None

    @property
    def quickbooks_realm(self) -> str | None:
        """The company the QuickBooks sync runs for: the realm id while the integration is on with
        provider ``quickbooks``; ``None`` otherwise (the sync is off)."""
        if self.customer_integration_enabled and self.integration_provider == "quickbooks":
            return self.quickbooks_realm_id or None
        return None

    @property
    def integration_owned_fields(self) -> tuple[str, ...]:
        """The customer fields the integration owns now: the list while the flag is on, none while off."""
        return INTEGRATION_OWNED_FIELDS if self.customer_integration_enabled else ()

    @property
    def dialing(self) -> DialingContext:
        return DialingContext(self.default_country, self.default_area_code)
