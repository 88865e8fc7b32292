"""Contact items: ``PK = ORG#<org>#CUST#<customerId>``, ``SK = CONTACT#<id>`` — read with their customer
in one Query (``query_customer_document``).

The customer item is the document's head: every contact write carries an update of the head
(``version + 1``) conditioned on the version the service read, so document rules (at most one
primary, at most 50 contacts) checked on that read hold at commit time. Address-book entries a
contact points at count their contacts (``contactRefs``), changed in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clientele.errors import ClienteleError, Conflict, CustomerDeleted, NotFound, ValidationFailed, VersionConflict
from clientele.store import keys
from clientele.store.table import Item, as_int, key, to_item, values
from clientele.store.transactions import Transaction
from clientele.store.updates import set_fields

# Stored-only or key attributes an update never copies from the record.
_SYSTEM = frozenset({"PK", "SK", "entity", "id", "customerId", "createdAt", "version"})


class DocumentChanged(Conflict):
    """Another write changed the customer document after our read (services re-read and retry)."""

    def __init__(self) -> None:
        super().__init__("concurrent_change", "The customer changed while saving; read it again and retry.")


def contact_key(org: str, customer_id: str, contact_id: str) -> dict[str, Any]:
    return key(keys.customer_pk(org, customer_id), keys.contact_sk(contact_id))


def address_entry_key(org: str, entry_id: str) -> dict[str, Any]:
    return key(keys.address_pk(org, entry_id), keys.ADDRESS_SK)


@dataclass
class ContactChanges:
    """What one save does to a customer's contacts, and to the address entries they reference."""

    created: list[Item] = field(default_factory=list)
    updated: list[tuple[Item, Item]] = field(default_factory=list)  # (as stored, as it will be)
    deleted: list[Item] = field(default_factory=list)
    address_deltas: dict[str, int] = field(default_factory=dict)  # entry id → net change of contactRefs
    address_fields: dict[str, str] = field(default_factory=dict)  # entry id → field to name if it is gone

    def __len__(self) -> int:
        moved = sum(1 for delta in self.address_deltas.values() if delta)
        return len(self.created) + len(self.updated) + len(self.deleted) + moved

    def reference(self, entry_id: str | None, delta: int, field_name: str) -> None:
        if not entry_id:
            return
        self.address_deltas[entry_id] = self.address_deltas.get(entry_id, 0) + delta
        if delta > 0:
            self.address_fields.setdefault(entry_id, field_name)


def _contact_failure(old: Item | None) -> ClienteleError:
    if old is None:
        return NotFound("No such contact.")
    return VersionConflict(as_int(old.get("version")))


def _head_failure(old: Item | None) -> ClienteleError:
    if old is None:
        return NotFound("No such customer.")
    if old.get("deletedAt"):
        return CustomerDeleted()
    return DocumentChanged()


def _missing_entry(field_name: str) -> Any:
    def failure(_old: Item | None) -> ClienteleError:
        return ValidationFailed.of(field_name, "No such address-book entry in this organisation.")

    return failure


def _gone_entry(_old: Item | None) -> ClienteleError:
    return Conflict("concurrent_change", "An address-book entry changed while saving; retry.")


def add_contact_changes(tx: Transaction, org: str, customer_id: str, changes: ContactChanges) -> None:
    """Append the contact puts/updates/deletes and the address-entry counters to ``tx``."""
    for record in changes.created:
        item = {"PK": keys.customer_pk(org, customer_id), "SK": keys.contact_sk(record["id"]), "entity": "contact",
                **record}
        tx.put(to_item(item), condition="attribute_not_exists(PK)")
    for before, after in changes.updated:
        attributes = {name: value for name, value in after.items() if name not in _SYSTEM}
        update, names, vals = set_fields(before, attributes, after["version"])
        vals[":expected"] = before["version"]
        tx.update(contact_key(org, customer_id, before["id"]), update, condition="#v = :expected", names=names,
                  values=values(vals), on_fail=_contact_failure)
    for before in changes.deleted:
        tx.delete(contact_key(org, customer_id, before["id"]), condition="#v = :expected", names={"#v": "version"},
                  values=values({":expected": before["version"]}), on_fail=_contact_failure)
    for entry_id, delta in sorted(changes.address_deltas.items()):
        if delta == 0:  # a contact left and another joined: the entry stays referenced throughout
            continue
        on_fail = _missing_entry(changes.address_fields.get(entry_id, "addressEntryId")) if delta > 0 else _gone_entry
        tx.update(address_entry_key(org, entry_id), "ADD contactRefs :delta", condition="attribute_exists(PK)",
                  values=values({":delta": delta}), on_fail=on_fail)


def save_contact_changes(org: str, customer_id: str, seen_version: int, now: str, changes: ContactChanges) -> None:
    """A contact write of its own: the head's version check and bump, then the contact items."""
    tx = Transaction()
    tx.update(key(keys.customer_pk(org, customer_id), keys.CUSTOMER_SK), "SET #v = :next, updatedAt = :now",
              condition="attribute_exists(PK) AND #v = :seen AND attribute_not_exists(deletedAt)",
              names={"#v": "version"}, values=values({":next": seen_version + 1, ":seen": seen_version, ":now": now}),
              on_fail=_head_failure)
    add_contact_changes(tx, org, customer_id, changes)
    tx.commit()
