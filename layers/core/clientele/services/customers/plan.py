"""Planning a customer save: the one path every writer of a customer document takes.

POST, PUT, PATCH, the upsert by remote id, the CSV import and the QuickBooks sync all turn their
input into a :class:`Plan` here — the record to write, the reference guards and hierarchy counters
its transaction must check and adjust, and the contact reconciliation — and hand it to
:func:`clientele.services.customers.write.commit`. A caller that has read the document already (the
upsert; later a merge or a bulk update) passes it in, and says who it is (``source``), which decides
the integration refusal and field ownership.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from clientele import clock
from clientele.domain.commercial import customer_currency
from clientele.domain.customers import CustomerFields
from clientele.errors import CustomerDeleted, FieldError, NotFound, VersionConflict
from clientele.services import contacts as contact_service
from clientele.services import orgs
from clientele.services.customers import ownership
from clientele.services.customers.documents import (
    Document,
    catalog_for,
    refuse_while_integration_owns_customers,
)
from clientele.services.customers.hierarchy import (
    PARENT_MUST_BE_LIVE,
    check_parent,
    hierarchy_links,
    hierarchy_role,
    read_parent,
)
from clientele.services.customers.ownership import Source
from clientele.services.customers.records import REFERENCES, build_record, document_fields, raise_if
from clientele.store import customers as store
from clientele.store import keys
from clientele.store.catalog import Catalog
from clientele.store.contacts import ContactChanges
from clientele.store.customers import GuardChange, HierarchyLinks
from clientele.store.table import Item, as_int

__all__ = ["Plan", "Source", "prepare_change", "prepare_create"]


@dataclass(frozen=True)
class Plan:
    """A validated save of one customer document: what the writer commits in one transaction."""

    record: dict[str, Any]  # the document's columns as stored after the save (version, timestamps)
    existing: Item | None  # the stored item it changes; None when it creates the customer
    guards: list[GuardChange]
    links: HierarchyLinks
    contacts: ContactChanges | None  # None: the stored contacts stay as they are
    final_contacts: list[Item]  # the contacts after the save, for the response
    catalog: Catalog
    remote_id: str | None = None  # a create by the integration claims this remote id in the same transaction
    # The save changes the currency, fixed once the customer has orders (SPEC §13): the transaction
    # commits only while it has none (409 in_use), exact as every in_use check is.
    requires_no_orders: bool = False

    @property
    def version(self) -> int:
        return as_int(self.record["version"])


def prepare_create(org: str, fields: CustomerFields, customer_id: str, *, source: Source,
                   catalog: Catalog | None = None, remote_id: str | None = None) -> Plan:
    """A new customer from ``fields``. ``catalog`` is the caller's when it holds one for many saves
    (the import); raises ValidationFailed with every problem of the document at once."""
    if source == "api":
        refuse_while_integration_owns_customers(orgs.catalog(org), "create them there (or upsert by remote id).")
    now = clock.now_iso()
    errors: list[FieldError] = []
    changes, contacts = _contact_plan(org, fields, customer_id, [], now, errors)
    provided = fields.provided()
    catalog = catalog if catalog is not None else catalog_for(org, provided)
    record, record_errors = build_record(provided, catalog, set(provided))
    record["id"] = customer_id
    parent = read_parent(org, record)
    hierarchy_errors, chain = check_parent(org, catalog, record, None, parent)
    raise_if([*errors, *record_errors, *hierarchy_errors])
    record.update(version=1, createdAt=now, updatedAt=now, isMember=_is_member(catalog, record))
    if remote_id is not None:
        record["remoteId"] = remote_id
    return Plan(record, None, _reference_guards(catalog, record, None),
                hierarchy_links(record, None, parent, chain, role_changed=False), changes, contacts, catalog,
                remote_id)


def prepare_change(org: str, document: Document, fields: CustomerFields, expected_version: int, *, whole: bool,
                   source: Source) -> Plan:
    """A change of the stored ``document`` (from :func:`read_document`; the save is still conditional on
    its version). ``whole``: PUT (omitted fields take defaults); otherwise only the sent fields change.
    Either reconciles the contacts when ``fields`` has ``contacts``."""
    existing, stored_contacts = document
    if existing is None:
        raise NotFound("No such customer.")
    if existing.get("deletedAt"):
        raise CustomerDeleted()
    if as_int(existing.get("version")) != expected_version:
        raise VersionConflict(as_int(existing.get("version")))

    provided = fields.provided()
    values = {**document_fields(existing), **provided} if not whole else provided
    values = ownership.enforce(org, existing, provided, values, source)  # SPEC §5.3: owned fields
    changed = {name for name, value in values.items() if existing.get(name) != value}
    catalog = catalog_for(org, values)
    record, errors = build_record(values, catalog, changed, existing)
    record["id"] = existing["id"]
    role_changed = hierarchy_role(catalog, record["customerTypeId"]) != hierarchy_role(
        catalog, existing.get("customerTypeId"))
    parent_changed = record["parentCustomerId"] != existing.get("parentCustomerId")
    parent: Item | None = None
    chain: list[Item] = []
    if record["parentCustomerId"] and (parent_changed or role_changed):
        if not clock.is_uuid(record["parentCustomerId"]):
            errors.append(FieldError("parentCustomerId", PARENT_MUST_BE_LIVE))
        else:
            parent = store.get_customer(org, record["parentCustomerId"])
    if parent_changed or role_changed:
        hierarchy_errors, chain = check_parent(org, catalog, record, existing, parent)
        errors += hierarchy_errors
    now = clock.now_iso()
    changes, contacts = _contact_plan(org, fields, existing["id"], stored_contacts, now, errors)
    raise_if(errors)
    currency_changes = record["currency"] != customer_currency(existing, catalog.settings.default_currency
                                                               if catalog.settings else None)
    if currency_changes and as_int(existing.get("orderCount")) > 0:
        raise store.currency_in_use(existing)

    record.update(version=expected_version + 1, updatedAt=now, createdAt=existing.get("createdAt"),
                  isMember=_is_member(catalog, record))
    return Plan(record, existing, _reference_guards(catalog, record, existing),
                hierarchy_links(record, existing, parent, chain, role_changed), changes, contacts, catalog,
                requires_no_orders=currency_changes)


def _is_member(catalog: Catalog, record: dict[str, Any]) -> bool:
    return hierarchy_role(catalog, record["customerTypeId"]) == "member"


def _contact_plan(org: str, fields: CustomerFields, customer_id: str, existing: list[Item], now: str,
                  errors: list[FieldError]) -> tuple[ContactChanges | None, list[Item]]:
    """Reconcile the sent ``contacts`` with the stored ones; without the key the contacts stay."""
    if not fields.sends_contacts():
        return None, existing
    if fields.contacts is None:
        errors.append(FieldError("contacts", "Send the list of contacts (empty removes them all), "
                                             "or leave contacts out to keep them as they are."))
        return None, existing
    changes, final, plan_errors = contact_service.plan_reconcile(
        customer_id, existing, fields.contacts, contact_service.dialing(org), now)
    errors += plan_errors
    return changes, final


def _reference_guards(catalog: Catalog, record: dict[str, Any], existing: Item | None) -> list[GuardChange]:
    """The taxonomy entries the save newly references must still exist (and a new type be active, with
    the role the record was checked against) when the transaction commits; a type's guard also counts
    its customers, on a random shard so that busy types do not contend on one item."""
    guards: list[GuardChange] = []
    new_type = record["customerTypeId"]
    old_type = existing.get("customerTypeId") if existing else None
    if new_type != old_type:
        shard = random.randrange(keys.GUARD_SHARDS)
        record["typeGuardShard"] = shard
        guards.append(GuardChange("type", new_type, shard, +1, require_active=True,
                                  require_role=hierarchy_role(catalog, new_type), field="customerTypeId"))
        if existing is not None and old_type:
            guards.append(GuardChange("type", old_type, as_int(existing.get("typeGuardShard")), -1))
    elif existing is not None:
        record["typeGuardShard"] = as_int(existing.get("typeGuardShard"))
    for field, kind in REFERENCES.items():
        if kind == "type":
            continue
        entry_id = record.get(field)
        if entry_id and (existing is None or existing.get(field) != entry_id):
            guards.append(GuardChange(kind, entry_id, random.randrange(keys.GUARD_SHARDS), 0, field=field))
    return guards
