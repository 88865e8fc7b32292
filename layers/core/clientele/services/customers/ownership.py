"""Field ownership while the customer integration is on (SPEC §5.3).

With ``customerIntegrationEnabled`` the external system (QuickBooks) owns the contact fields below.
A PATCH or PUT may still send them, but only with the value already stored (compared after the same
normalisation a save applies); a PUT that omits them keeps them as stored. Any other value is
409 ``field_owned_by_integration`` listing the fields. A save whose source is the integration itself
(the upsert by remote id, the QuickBooks sync) may change everything.

The flag is read from the org catalog the request read consistently (as the POST /customers
refusal is), so a settings change applies to the next request in any container.
"""

from __future__ import annotations

from typing import Any, Literal

from clientele.domain.customers import clean_text, normalise_address
from clientele.domain.emails import normalise_emails
from clientele.domain.phones import normalise_phones
from clientele.domain.settings import INTEGRATION_OWNED_FIELDS, OrgSettings
from clientele.errors import Conflict, FieldError
from clientele.store.table import Item

OWNED_FIELDS: tuple[str, ...] = INTEGRATION_OWNED_FIELDS

# Who asks for a save: a user through the API, the integration (upsert by remote id, the sync), or
# the CSV import. Only a user's save is subject to field ownership.
Source = Literal["api", "integration", "import"]


def _normalised(field: str, value: Any, settings: OrgSettings) -> tuple[Any, bool]:
    """(normalised value, valid) of one owned field, as build_record would store it."""
    errors: list[FieldError]
    if field in ("firstName", "lastName", "companyName"):
        return clean_text(value), True
    if field == "emails":
        emails, errors = normalise_emails(value)
        return emails, not errors
    if field == "phones":
        phones, errors = normalise_phones(value, settings.dialing)
        return phones, not errors
    if field in ("billingAddress", "shippingAddress"):
        address, errors = normalise_address(value, field)
        return address, not errors
    return (value if value else None), True  # notes


def _stored(field: str, existing: Item) -> Any:
    value = existing.get(field)
    if field in ("emails", "phones"):
        return list(value or [])
    return value if value not in ("", {}, []) else None


def enforce(org: str, existing: Item, provided: dict[str, Any], values: dict[str, Any],
            source: Source) -> dict[str, Any]:
    """The document to save: unchanged when the integration is off (or is the source);
    otherwise omitted owned fields keep their stored values and changed ones are refused."""
    if source == "integration":
        return values
    from clientele.services import orgs

    settings = orgs.catalog(org).settings
    if settings is None or not settings.customer_integration_enabled:
        return values
    refused = []
    for field in OWNED_FIELDS:
        if field not in provided:
            continue
        value, valid = _normalised(field, provided[field], settings)
        if not valid or value != _stored(field, existing):
            refused.append(field)
    if refused:
        raise Conflict(
            "field_owned_by_integration",
            f"While customerIntegrationEnabled is on, the integration owns {', '.join(refused)}; "
            "change them in the integrated system (or send the stored values).",
            fields=refused,
            errors=[{"field": field, "message": "Owned by the integration; it cannot be changed here."}
                    for field in refused],
        )
    kept = {field: existing.get(field) for field in OWNED_FIELDS if field not in provided}
    return {**values, **kept}
