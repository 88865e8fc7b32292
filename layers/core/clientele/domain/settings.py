"""Organisation settings (SPEC §4.1)."""

from __future__ import annotations

from dataclasses import dataclass

from clientele.domain.phones import DialingContext


@dataclass(frozen=True, slots=True)
class OrgSettings:
    default_country: str = "US"
    default_area_code: str | None = None
    customer_integration_enabled: bool = False
    integration_provider: str | None = None
    quickbooks_realm_id: str | None = None
    version: int = 1
    updated_at: str | None = None

    @property
    def dialing(self) -> DialingContext:
        return DialingContext(self.default_country, self.default_area_code)
