"""Taxonomy use cases (SPEC §4.2): the five lists share one set of rules.

Reads come from the catalog the request read consistently (``orgs.catalog``). Every write reads the list consistently
(``orgs.refresh``), checks names, sort orders and the size limit against it, and saves through
the store, which bumps the list head conditionally in the same transaction; a concurrent write to
the same list cancels ours, and we check again against a fresh read (so a name taken a moment
earlier is a 409 ``duplicate``, never a second entry).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clientele import clock, retries
from clientele.domain.money import percent_out
from clientele.domain.taxonomies import (
    MAX_ENTRIES,
    SPECS,
    Kind,
    name_taken,
    next_sort_order,
    order_problem,
    sort_order_taken,
)
from clientele.errors import Conflict, FieldError, NotFound, ValidationFailed, VersionConflict
from clientele.services import orgs
from clientele.services.saved import Saved
from clientele.store import taxonomies as store
from clientele.store.catalog import Catalog
from clientele.store.table import Item, as_int


def present(kind: Kind, entry: Item) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": entry["id"],
        "name": entry["name"],
        "sortOrder": as_int(entry.get("sortOrder")),
        "isActive": bool(entry.get("isActive", True)),
        "createdAt": entry.get("createdAt"),
        "version": as_int(entry.get("version"), 1),
    }
    if kind == "type":
        body["color"] = entry.get("color")
        body["hierarchyRole"] = entry.get("hierarchyRole") or "none"
    elif kind == "broker":
        body["defaultFeePercent"] = percent_out(entry.get("defaultFeePercent"))
    elif kind == "terms":
        body["netDays"] = as_int(entry.get("netDays"))
    return body


def list_entries(org: str, kind: Kind) -> dict[str, Any]:
    return {"items": [present(kind, entry) for entry in orgs.catalog(org).ordered(kind)]}


def get(org: str, kind: Kind, entry_id: str) -> Saved:
    _require_uuid(kind, entry_id)
    entry = orgs.catalog(org).entry(kind, entry_id)
    if entry is None:
        raise _not_found(kind)
    return Saved(present(kind, entry), as_int(entry.get("version"), 1))


def create(org: str, kind: Kind, fields: dict[str, Any]) -> Saved:
    """A new entry; it goes last unless ``sortOrder`` is given.

    The entry's id is chosen once per request, not per attempt: when an attempt's transaction
    committed but its answer was lost (botocore resends a transaction whose reply timed out, and the
    resend is cancelled by the very entry the first one wrote), the next attempt finds its own entry
    in the fresh read and answers it, instead of refusing the name as taken by "another" entry.
    """
    entry_id = clock.new_id()

    def attempt(catalog: Catalog) -> Saved:
        mine = catalog.entry(kind, entry_id)
        if mine is not None:  # an earlier attempt of this request committed
            return Saved(present(kind, mine), as_int(mine.get("version"), 1))
        entries = list(catalog.entries[kind].values())
        if len(entries) >= MAX_ENTRIES:
            raise ValidationFailed([FieldError("body", f"A list holds at most {MAX_ENTRIES} entries.")],
                                   f"This {SPECS[kind].label} list is full; delete or reuse an entry.")
        _refuse_duplicates(kind, entries, fields, entry_id)
        now = clock.now_iso()
        item = {name: value for name, value in fields.items() if value is not None}
        item.update(entity="taxonomy", kind=kind, id=entry_id, version=1, createdAt=now, updatedAt=now)
        if fields.get("sortOrder") is None:
            item["sortOrder"] = next_sort_order(entries)
        store.create_entry(org, item, catalog.list_versions[kind])
        return Saved(present(kind, item), 1)

    return _saving(org, attempt)


def update(org: str, kind: Kind, entry_id: str, changes: dict[str, Any], expected_version: int) -> Saved:
    """Change the fields sent; a type's ``hierarchyRole`` only while no customer has the type."""
    _require_uuid(kind, entry_id)

    def attempt(catalog: Catalog) -> Saved:
        before = _current(catalog, kind, entry_id, expected_version)
        _refuse_duplicates(kind, list(catalog.entries[kind].values()), changes, entry_id)
        after = {**before, **changes}
        for name in [name for name, value in changes.items() if value is None]:
            after.pop(name)  # null clears an optional field (a broker's defaultFeePercent)
        changed = {name for name in changes if before.get(name) != after.get(name)}
        if not changed:  # version +1 per change: an empty PATCH changes nothing
            return Saved(present(kind, before), expected_version)
        after.update(version=expected_version + 1, updatedAt=clock.now_iso())
        store.update_entry(org, before, after, expected_version, catalog.list_versions[kind],
                           restrict_usage=kind == "type" and "hierarchyRole" in changed)
        return Saved(present(kind, after), expected_version + 1)

    return _saving(org, attempt)


def delete(org: str, kind: Kind, entry_id: str, expected_version: int) -> None:
    """Customer types are RESTRICT (409 in_use while any customer, deleted ones too, has the type);
    the other lists delete freely and customers read the deleted id as null."""
    _require_uuid(kind, entry_id)

    def attempt(catalog: Catalog) -> None:
        entry = _current(catalog, kind, entry_id, expected_version)
        store.delete_entry(org, entry, expected_version, catalog.list_versions[kind],
                           restrict=SPECS[kind].on_delete == "restrict")

    _saving(org, attempt)


def reorder(org: str, kind: Kind, ids: list[str]) -> dict[str, Any]:
    """Renumber 0..n-1 in the order given, atomically; ``ids`` holds every entry exactly once."""

    def attempt(catalog: Catalog) -> dict[str, Any]:
        entries = catalog.entries[kind]
        problem = order_problem(entries, ids)
        if problem:
            raise ValidationFailed.of("ids", problem)
        in_order = [entries[entry_id] for entry_id in ids]
        store.reorder(org, kind, in_order, catalog.list_versions[kind])
        renumbered = [_renumbered(entry, position) for position, entry in enumerate(in_order)]
        return {"items": [present(kind, entry) for entry in renumbered]}

    return _saving(org, attempt)


def _renumbered(entry: Item, position: int) -> Item:
    if as_int(entry.get("sortOrder")) == position:
        return entry
    return {**entry, "sortOrder": position, "version": as_int(entry.get("version"), 1) + 1}


def _saving[T](org: str, attempt: Callable[[Catalog], T]) -> T:
    """Run a write against a consistent read of the org's lists; again, after a jittered pause, when
    the transaction lost the list to a concurrent write (``ListChanged``: the head's version moved,
    or the outcome of our own earlier attempt must be read). Never a ``duplicate`` for that: names
    and sort orders are only judged against the read the attempt is made from."""
    # Every write to a list bumps its head, so N writers racing on one list need up to N rounds.
    for _ in retries.attempts():
        catalog = orgs.refresh(org)
        try:
            result = attempt(catalog)
        except store.ListChanged:
            continue
        orgs.forget(org)
        return result
    raise store.ListChanged()


def _current(catalog: Catalog, kind: Kind, entry_id: str, expected_version: int) -> Item:
    entry = catalog.entry(kind, entry_id)
    if entry is None:
        raise _not_found(kind)
    if as_int(entry.get("version"), 1) != expected_version:
        raise VersionConflict(as_int(entry.get("version"), 1))
    return entry


def _refuse_duplicates(kind: Kind, entries: list[Item], values: dict[str, Any],
                       except_id: str | None) -> None:
    label = SPECS[kind].label
    errors: list[dict[str, str]] = []
    name = values.get("name")
    if name is not None and name_taken(entries, name, except_id):
        errors.append({"field": "name",
                       "message": f"Another {label} is named '{name}' (case-insensitively)."})
    sort_order = values.get("sortOrder")
    if sort_order is not None and sort_order_taken(entries, sort_order, except_id):
        errors.append({"field": "sortOrder", "message": f"Another {label} has sortOrder {sort_order}."})
    if errors:
        raise Conflict("duplicate", " ".join(error["message"] for error in errors), errors=errors)


def _require_uuid(kind: Kind, entry_id: str) -> None:
    if not clock.is_uuid(entry_id):
        raise _not_found(kind)


def _not_found(kind: Kind) -> NotFound:
    return NotFound(f"No such {SPECS[kind].label}.")
