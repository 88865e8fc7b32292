"""``GET /customers/match``: live customers by phone (normalised with the org's settings) or email
(case-insensitive), from the stream-maintained contact-point index (SPEC §4.3)."""

from __future__ import annotations

from typing import Any

from clientele.domain.emails import normalise_email
from clientele.domain.names import sort_name
from clientele.domain.phones import PhoneError, normalise_phone
from clientele.errors import FieldError, ValidationFailed
from clientele.services import orgs
from clientele.services.customers.records import present
from clientele.store import customers as customer_store
from clientele.store import derived


def match(org: str, phone: str | None, email: str | None) -> dict[str, Any]:
    """One Query per value given, then one BatchGetItem of the customers. The customers are read
    consistently, so one deleted or changed since the index last caught up is not returned."""
    phone, email = (phone or "").strip() or None, (email or "").strip() or None
    if phone is None and email is None:
        raise ValidationFailed([FieldError("phone", "Give a phone, an email or both."),
                                FieldError("email", "Give a phone, an email or both.")])
    catalog = orgs.catalog(org)
    assert catalog.settings is not None  # the org is provisioned before any handler runs
    wanted: dict[str, str] = {}
    errors: list[FieldError] = []
    if phone is not None:
        try:
            wanted["phone"] = normalise_phone(phone, catalog.settings.dialing)
        except PhoneError as exc:
            errors.append(FieldError("phone", str(exc)))
    if email is not None:
        normalised = normalise_email(email)
        if normalised is None:
            errors.append(FieldError("email", f"'{email[:100]}' is not a valid email address."))
        else:
            wanted["email"] = normalised
    if errors:
        raise ValidationFailed(errors)

    matched_on: dict[str, list[str]] = {}
    for kind, value in wanted.items():
        for customer_id in derived.customers_with_contact_point(org, kind, value):
            matched_on.setdefault(customer_id, []).append(kind)
    found = customer_store.get_customers(org, list(matched_on))
    items: list[dict[str, Any]] = []
    for customer_id, kinds in matched_on.items():
        customer = found.get(customer_id)
        if customer is None or customer.get("deletedAt"):
            continue
        current: dict[str, list[str]] = {"phone": list(customer.get("phones") or []),
                                         "email": list(customer.get("emails") or [])}
        confirmed = [kind for kind in kinds if wanted[kind] in current[kind]]
        if confirmed:
            items.append({"customer": present(customer, catalog), "matchedOn": confirmed})
    items.sort(key=lambda item: (sort_name(str(item["customer"]["displayName"])), str(item["customer"]["id"])))
    return {"items": items}
