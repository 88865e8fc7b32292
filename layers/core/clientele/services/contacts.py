"""Contact use cases (SPEC §4.4): list, create, change, delete — and the plan that reconciles a
customer document's ``contacts`` on save (used by services.customers).

Every contact write bumps the customer's version in the same transaction, conditioned on the version
read, so the document rules (one primary, at most 50) checked on that read hold at commit. A write
of a single contact names no customer version, so when another write got in between it re-reads and
tries again (paced by clientele.retries) instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clientele import clock, retries
from clientele.domain.contacts import MAX_CONTACTS, ContactFields, flags_of, roles_of
from clientele.domain.emails import normalise_email
from clientele.domain.fields import clean_text
from clientele.domain.names import fold
from clientele.domain.phones import DialingContext, PhoneError, normalise_phone
from clientele.errors import CustomerDeleted, FieldError, NotFound, ValidationFailed, VersionConflict
from clientele.services import orgs
from clientele.services.lookups import found, require_uuid
from clientele.services.saved import Saved
from clientele.store import contacts as store
from clientele.store import customers as customer_store
from clientele.store.contacts import ContactChanges, DocumentChanged
from clientele.store.table import Item, as_int

_FIELDS = ("name", "title", "email", "phone", "addressEntryId")


# --- rules and representation ---------------------------------------------------------------------


def dialing(org: str) -> DialingContext:
    settings = orgs.catalog(org).settings
    return settings.dialing if settings is not None else DialingContext("US", None)


def normalise(values: dict[str, Any], context: DialingContext, prefix: str = "") -> tuple[Item, list[FieldError]]:
    """The stored fields of a contact from request values (omitted = null); ``prefix`` names the entry."""
    errors: list[FieldError] = []
    record: Item = {field: clean_text(values.get(field)) for field in _FIELDS}
    if record["name"] is None:
        errors.append(FieldError(f"{prefix}name", "A contact needs a name."))
    if record["email"] is not None:
        email = normalise_email(record["email"])
        if email is None:
            errors.append(FieldError(f"{prefix}email", f"'{record['email'][:100]}' is not a valid email address."))
        record["email"] = email
    if record["phone"] is not None:
        try:
            record["phone"] = normalise_phone(record["phone"], context)
        except PhoneError as exc:
            errors.append(FieldError(f"{prefix}phone", str(exc)))
    if record["addressEntryId"] is not None and not clock.is_uuid(record["addressEntryId"]):
        errors.append(FieldError(f"{prefix}addressEntryId", "No such address-book entry in this organisation."))
    record.update(flags_of(values.get("roles")))
    return record, errors


def check_document(contacts: list[Item], count_field: str, primary_field: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(contacts) > MAX_CONTACTS:
        errors.append(FieldError(count_field, f"A customer has at most {MAX_CONTACTS} contacts."))
    if sum(1 for contact in contacts if contact.get("isPrimary")) > 1:
        errors.append(FieldError(primary_field, "A customer has at most one primary contact."))
    return errors


def stored_values(record: Item) -> dict[str, Any]:
    """A stored contact as request values (what a PATCH merges into)."""
    return {**{field: record.get(field) for field in _FIELDS}, "roles": roles_of(record)}


def present(record: Item) -> dict[str, Any]:
    return {
        "id": record["id"],
        "customerId": record.get("customerId"),
        "name": record.get("name") or "",
        "title": record.get("title"),
        "email": record.get("email"),
        "phone": record.get("phone"),
        "addressEntryId": record.get("addressEntryId"),
        "roles": roles_of(record),
        "version": as_int(record.get("version"), 1),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
    }


def present_all(contacts: list[Item]) -> list[dict[str, Any]]:
    """Contacts by name (case-insensitive), then id: the same order in every response."""
    ordered = sorted(contacts, key=lambda contact: (fold(contact.get("name") or ""), contact["id"]))
    return [present(contact) for contact in ordered]


# --- reconcile (PUT/PATCH/POST of a customer document with `contacts`) ---------------------------------


def plan_reconcile(customer_id: str, existing: list[Item], entries: list[ContactFields], context: DialingContext,
                   now: str) -> tuple[ContactChanges, list[Item], list[FieldError]]:
    """Entries with an id of this customer are updated, without id created, missing ones deleted.
    Returns the changes, the contacts as they will be, and what is wrong with the request."""
    if len(entries) > MAX_CONTACTS:
        return ContactChanges(), [], [FieldError("contacts", f"A customer has at most {MAX_CONTACTS} contacts.")]
    by_id = {contact["id"]: contact for contact in existing}
    kept: set[str] = set()
    changes = ContactChanges()
    final: list[Item] = []
    errors: list[FieldError] = []
    for position, entry in enumerate(entries):
        prefix = f"contacts[{position}]."
        record, entry_errors = normalise(entry.provided(), context, prefix)
        errors += entry_errors
        if entry.id is None:
            created = {**record, "id": clock.new_id(), "customerId": customer_id, "version": 1, "createdAt": now,
                       "updatedAt": now}
            changes.created.append(created)
            changes.reference(created["addressEntryId"], +1, f"{prefix}addressEntryId")
            final.append(created)
            continue
        before = by_id.get(entry.id)
        if before is None or entry.id in kept:
            why = "Listed twice." if entry.id in kept else "Not a contact of this customer; leave id out to add one."
            errors.append(FieldError(f"{prefix}id", why))
            continue
        kept.add(entry.id)
        if all(before.get(name) == value for name, value in record.items()):
            final.append(before)  # unchanged: not written, keeps its version
            continue
        after = {**record, "id": before["id"], "customerId": customer_id, "createdAt": before.get("createdAt"),
                 "version": as_int(before.get("version"), 1) + 1, "updatedAt": now}
        changes.updated.append((before, after))
        changes.reference(before.get("addressEntryId"), -1, f"{prefix}addressEntryId")
        changes.reference(after["addressEntryId"], +1, f"{prefix}addressEntryId")
        final.append(after)
    for contact in existing:
        if contact["id"] not in kept:
            changes.deleted.append(contact)
            changes.reference(contact.get("addressEntryId"), -1, "contacts")
    errors += check_document(final, "contacts", "contacts")
    return changes, final, errors


# --- one contact at a time ------------------------------------------------------------------------------


def _document(org: str, customer_id: str) -> tuple[Item, list[Item]]:
    """The customer and its contacts, in one Query."""
    require_uuid(customer_id, "customer")
    head, contacts = customer_store.read_document(org, customer_id)
    return found(head, "customer"), contacts


def _save[T](org: str, customer_id: str, plan: Callable[[list[Item], str], tuple[ContactChanges, T]]) -> T:
    """Read the document, ``plan`` the change on its contacts (raising when the request breaks a rule) and
    save it conditional on the customer's version; when another write got in between, read and plan again."""
    for _ in retries.attempts():
        head, contacts = _document(org, customer_id)
        if head.get("deletedAt"):
            raise CustomerDeleted()
        now = clock.now_iso()
        changes, result = plan(contacts, now)
        try:
            store.save_contact_changes(org, customer_id, as_int(head.get("version")), now, changes)
        except DocumentChanged:
            continue
        return result
    raise DocumentChanged()


def _find(contacts: list[Item], contact_id: str) -> Item:
    found = next((contact for contact in contacts if contact["id"] == contact_id), None)
    if found is None:
        raise NotFound("No such contact.")
    return found


def list_contacts(org: str, customer_id: str) -> dict[str, Any]:
    """All of a customer's contacts (at most 50, so always one page)."""
    _, contacts = _document(org, customer_id)
    return {"items": present_all(contacts), "nextCursor": None}


def create(org: str, customer_id: str, fields: ContactFields) -> Saved:
    record, errors = normalise(fields.provided(), dialing(org))
    if errors:
        raise ValidationFailed(errors)
    contact_id = clock.new_id()

    def plan(contacts: list[Item], now: str) -> tuple[ContactChanges, Saved]:
        created = {**record, "id": contact_id, "customerId": customer_id, "version": 1, "createdAt": now,
                   "updatedAt": now}
        _raise_if(check_document([*contacts, created], "contacts", "roles"))
        changes = ContactChanges(created=[created])
        changes.reference(created["addressEntryId"], +1, "addressEntryId")
        return changes, Saved(present(created), 1)

    return _save(org, customer_id, plan)


def _current(contacts: list[Item], contact_id: str, expected_version: int) -> Item:
    before = _find(contacts, contact_id)
    if as_int(before.get("version")) != expected_version:
        raise VersionConflict(as_int(before.get("version")))
    return before


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def update(org: str, customer_id: str, contact_id: str, fields: ContactFields, expected_version: int) -> Saved:
    if not clock.is_uuid(contact_id):
        raise NotFound("No such contact.")
    provided = fields.provided()
    context = dialing(org)

    def plan(contacts: list[Item], now: str) -> tuple[ContactChanges, Saved]:
        before = _current(contacts, contact_id, expected_version)
        record, errors = normalise({**stored_values(before), **provided}, context)
        after = {**record, "id": contact_id, "customerId": customer_id, "createdAt": before.get("createdAt"),
                 "version": expected_version + 1, "updatedAt": now}
        others = [contact for contact in contacts if contact["id"] != contact_id]
        _raise_if(errors + check_document([*others, after], "contacts", "roles"))
        changes = ContactChanges(updated=[(before, after)])
        changes.reference(before.get("addressEntryId"), -1, "addressEntryId")
        changes.reference(after["addressEntryId"], +1, "addressEntryId")
        return changes, Saved(present(after), expected_version + 1)

    return _save(org, customer_id, plan)


def delete(org: str, customer_id: str, contact_id: str, expected_version: int) -> None:
    if not clock.is_uuid(contact_id):
        raise NotFound("No such contact.")

    def plan(contacts: list[Item], now: str) -> tuple[ContactChanges, None]:
        before = _current(contacts, contact_id, expected_version)
        changes = ContactChanges(deleted=[before])
        changes.reference(before.get("addressEntryId"), -1, "addressEntryId")
        return changes, None

    _save(org, customer_id, plan)
