"""Turning a request into the stored customer record, and a record into its representation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clientele.domain import names
from clientele.domain.commercial import commercial_record, customer_currency
from clientele.domain.customers import OPTIONAL_DEFAULTS, WRITABLE_FIELDS, clean_text, normalise_address
from clientele.domain.emails import normalise_emails
from clientele.domain.money import money_text, percent_out
from clientele.domain.phones import normalise_phones
from clientele.domain.references import BY_KIND, KIND_OF_FIELD, Kind
from clientele.errors import FieldError, ValidationFailed
from clientele.store.catalog import Catalog
from clientele.store.table import Item

REFERENCES = KIND_OF_FIELD


def document_fields(record: Item) -> dict[str, Any]:
    """The writable fields of a stored record, as a request would carry them."""
    return {name: record.get(name) for name in WRITABLE_FIELDS}


def build_record(values: dict[str, Any], catalog: Catalog, changed: set[str],
                 existing: Item | None = None) -> tuple[dict[str, Any], list[FieldError]]:
    """Normalise the merged document; only ``changed`` references must be active/existing now
    (a customer keeps a type that was deactivated after it was assigned). ``existing``: the stored
    record a change starts from (what it holds was checked when it was saved)."""
    errors: list[FieldError] = []
    record: dict[str, Any] = {}
    for field in ("firstName", "lastName", "companyName"):
        record[field] = clean_text(values.get(field))
    if not names.has_required_name(record["firstName"], record["companyName"]):
        errors.append(FieldError("firstName", "Give a firstName or a companyName (at least one is required)."))
    record["displayName"] = names.display_name(record["firstName"], record["lastName"], record["companyName"])

    for field, kind in REFERENCES.items():
        entry_id = values.get(field)
        record[field] = entry_id
        if entry_id is None:
            if field == "customerTypeId":
                errors.append(FieldError(field, "A customer type is required."))
            continue
        entry = catalog.entry(kind, entry_id)
        if entry is None and (field in changed or field == "customerTypeId"):
            errors.append(FieldError(field, f"No such {BY_KIND[kind].label} in this organisation."))
        elif entry is not None and kind == "type" and field in changed and not entry.get("isActive", True):
            errors.append(FieldError(field, "This customer type is not active."))

    fee = values.get("brokerFeePercent")
    if record["brokerId"] is None:
        if fee is not None and "brokerFeePercent" in changed:
            errors.append(FieldError("brokerFeePercent", "A broker fee needs a brokerId."))
        fee = None
    elif fee is None or ("brokerId" in changed and "brokerFeePercent" not in changed):
        broker = catalog.entry("broker", record["brokerId"]) or {}
        fee = broker.get("defaultFeePercent")
    record["brokerFeePercent"] = fee
    record["discountRate"] = values.get("discountRate")

    record["parentCustomerId"] = values.get("parentCustomerId")
    bill_with_parent = values.get("billWithParent") is True
    if bill_with_parent and not record["parentCustomerId"] and "billWithParent" in changed:
        errors.append(FieldError("billWithParent", "billWithParent needs a parentCustomerId."))
    # Stored only when true (absent = false), so customers saved before the field read the same.
    record["billWithParent"] = True if bill_with_parent and record["parentCustomerId"] else None
    for field, default in OPTIONAL_DEFAULTS.items():
        record[field] = values.get(field) or default

    settings = catalog.settings
    assert settings is not None  # the org is provisioned before any handler runs
    record["emails"], email_errors = normalise_emails(values.get("emails"))
    record["phones"], phone_errors = normalise_phones(values.get("phones"), settings.dialing)
    errors += email_errors + phone_errors
    for field in ("billingAddress", "shippingAddress"):
        record[field], address_errors = normalise_address(values.get(field), field)
        errors += address_errors
    record["notes"] = values.get("notes") if values.get("notes") else None
    commercial, commercial_errors = commercial_record(values, settings.default_currency, existing)
    record.update(commercial)
    errors += commercial_errors
    return record, errors


def changes_nothing(existing: Item, provided: dict[str, Any], catalog: Catalog) -> bool:
    """Would saving ``provided`` over ``existing`` leave every sent field as stored? Compared after the
    same normalisation a save applies (the sync skips such customers without a write)."""
    record, errors = build_record({**document_fields(existing), **provided}, catalog, set(), existing)
    return not errors and all(record.get(name) == existing.get(name) for name in provided)


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _reference(catalog: Catalog, kind: Kind, entry_id: str | None) -> str | None:
    """A reference to a deleted entry reads as null until the SET NULL job has cleared it."""
    return entry_id if entry_id and catalog.entry(kind, entry_id) is not None else None


def present(record: Item, catalog: Catalog) -> dict[str, Any]:
    type_entry = catalog.entry("type", record.get("customerTypeId")) or {}
    emails = list(record.get("emails") or [])
    phones = list(record.get("phones") or [])
    broker_id = _reference(catalog, "broker", record.get("brokerId"))
    return {
        "id": record["id"],
        "firstName": record.get("firstName"),
        "lastName": record.get("lastName"),
        "companyName": record.get("companyName"),
        "displayName": record.get("displayName", ""),
        "customerTypeId": record.get("customerTypeId"),
        "customerType": {"id": record.get("customerTypeId"), "name": type_entry.get("name"),
                         "color": type_entry.get("color")},
        "customerSegmentId": _reference(catalog, "segment", record.get("customerSegmentId")),
        "customerCategoryId": _reference(catalog, "category", record.get("customerCategoryId")),
        "brokerId": broker_id,
        "brokerFeePercent": percent_out(record.get("brokerFeePercent")) if broker_id else None,
        "parentCustomerId": record.get("parentCustomerId"),
        "billWithParent": record.get("billWithParent") is True,
        "accountState": record.get("accountState", "active"),
        "accountPriority": record.get("accountPriority", "standard"),
        "emails": emails,
        "phones": phones,
        "email": emails[0] if emails else None,
        "phone": phones[0] if phones else None,
        "billingAddress": _address(record.get("billingAddress")),
        "shippingAddress": _address(record.get("shippingAddress")),
        "discountRate": percent_out(_decimal(record.get("discountRate"))),
        "notes": record.get("notes"),
        "currency": customer_currency(record, catalog.settings.default_currency if catalog.settings else None),
        "paymentTermsId": _reference(catalog, "terms", record.get("paymentTermsId")),
        "taxIds": [dict(entry) for entry in record.get("taxIds") or []],
        "taxExempt": record.get("taxExempt") is True,
        "resaleNumber": record.get("resaleNumber"),
        "website": record.get("website"),
        "creditLimit": _money(record.get("creditLimit")),
        "openOrderValue": _money(record.get("openOrderValue")) or "0.00",
        "remoteId": record.get("remoteId"),
        "version": int(record.get("version", 1)),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
        "deletedAt": record.get("deletedAt"),
        "isActive": not record.get("deletedAt"),
    }


def _money(value: Any) -> str | None:
    amount = _decimal(value)
    return money_text(amount) if amount is not None else None


def _decimal(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else (Decimal(value) if value is not None else None)


def _address(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    return {field: value.get(field) for field in ("line1", "line2", "city", "region", "postcode", "country")}
