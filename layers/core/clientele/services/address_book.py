"""Address-book use cases (SPEC §4.8): org-wide entries that contacts reference by id."""

from __future__ import annotations

from typing import Any

from clientele import clock, cursors
from clientele.domain.address_book import ADDRESS_FIELDS, AddressEntryFields
from clientele.domain.countries import normalise_country
from clientele.domain.fields import clean_text
from clientele.errors import FieldError, ValidationFailed, VersionConflict
from clientele.services.lookups import found, require_uuid
from clientele.services.saved import Saved
from clientele.store import address_book as store
from clientele.store.table import Item, as_int


def present(record: Item) -> dict[str, Any]:
    return {
        "id": record["id"],
        "label": record.get("label") or "",
        **{field: record.get(field) for field in ADDRESS_FIELDS},
        "version": as_int(record.get("version"), 1),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
    }


def _build(values: dict[str, Any]) -> Item:
    errors: list[FieldError] = []
    record: Item = {"label": clean_text(values.get("label"))}
    if record["label"] is None:
        errors.append(FieldError("label", "An address-book entry needs a label."))
    for field in ADDRESS_FIELDS:
        record[field] = clean_text(values.get(field))
    if record["country"] is not None:
        country = normalise_country(record["country"])
        if country is None:
            errors.append(FieldError("country", "Use an ISO 3166-1 alpha-2 code such as US or KN."))
        record["country"] = country
    if errors:
        raise ValidationFailed(errors)
    return record


_ENTRY = "address-book entry"


def _load(org: str, entry_id: str) -> Item:
    require_uuid(entry_id, _ENTRY)
    return found(store.get_entry(org, entry_id), _ENTRY)


def create(org: str, fields: AddressEntryFields) -> Saved:
    record = _build(fields.provided())
    now = clock.now_iso()
    record.update(id=clock.new_id(), version=1, createdAt=now, updatedAt=now)
    store.create_entry(org, record)
    return Saved(present(record), 1)


def get(org: str, entry_id: str) -> Saved:
    entry = _load(org, entry_id)
    return Saved(present(entry), as_int(entry.get("version"), 1))


def update(org: str, entry_id: str, fields: AddressEntryFields, expected_version: int) -> Saved:
    before = _load(org, entry_id)
    if as_int(before.get("version")) != expected_version:
        raise VersionConflict(as_int(before.get("version")))
    record = _build({**{name: before.get(name) for name in ("label", *ADDRESS_FIELDS)}, **fields.provided()})
    record.update(id=entry_id, version=expected_version + 1, createdAt=before.get("createdAt"),
                  updatedAt=clock.now_iso())
    store.update_entry(org, before, record, expected_version)
    return Saved(present(record), expected_version + 1)


def delete(org: str, entry_id: str, expected_version: int) -> None:
    require_uuid(entry_id, _ENTRY)
    store.delete_entry(org, entry_id, expected_version)


def list_page(org: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of the org's address book by label: one Query."""
    start = cursors.decode(org, "address-book", cursor)
    page = store.list_entries(org, limit=limit, start=start)
    return {"items": [present(item) for item in page.items],
            "nextCursor": cursors.encode(org, "address-book", page.last_key)}
