"""Customer use cases (SPEC §4.3): create, read, change, delete, restore, list."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from clientele import clock, cursors
from clientele.domain.customers import MAX_DEPTH, CustomerFields, check_hierarchy
from clientele.errors import Conflict, FieldError, NotFound, ValidationFailed, VersionConflict
from clientele.services import contacts as contact_service
from clientele.services import field_ownership, orgs
from clientele.services.customer_records import (
    REFERENCES,
    build_record,
    document_fields,
    present,
    raise_if,
)
from clientele.store import customers as store
from clientele.store import keys
from clientele.store.catalog import Catalog
from clientele.store.contacts import ContactChanges
from clientele.store.customers import GuardChange, HierarchyLinks
from clientele.store.table import Item, as_int


@dataclass(frozen=True)
class Saved:
    body: dict[str, Any]
    version: int


def catalog_for(org: str, values: dict[str, Any]) -> Catalog:
    catalog = orgs.catalog(org)
    for field, kind in REFERENCES.items():
        entry_id = values.get(field)
        if entry_id and catalog.entry(kind, entry_id) is None:
            return orgs.refresh(org)
    return catalog


def hierarchy_role(catalog: Catalog, type_id: str | None) -> str:
    entry = catalog.entry("type", type_id) or {}
    return str(entry.get("hierarchyRole") or "none")


def _require_uuid(customer_id: str) -> None:
    if not clock.is_uuid(customer_id):
        raise NotFound("No such customer.")


Document = tuple[Item | None, list[Item]]  # the customer item (None when missing) and its contacts


def read_document(org: str, customer_id: str) -> Document:
    """The customer with its contacts, for a caller that decides before it changes (the upsert)."""
    _require_uuid(customer_id)
    return _document(org, customer_id)


def _document(org: str, customer_id: str) -> Document:
    """The customer with its contacts: one Query (``SK BETWEEN 'CONTACT#' AND 'CUSTOMER'``)."""
    items = store.query_customer_document(org, customer_id)
    record = next((item for item in items if item.get("entity") == "customer"), None)
    return record, [item for item in items if item.get("entity") == "contact"]


def _with_contacts(record: Item, catalog: Catalog, contacts: list[Item]) -> dict[str, Any]:
    return {**present(record, catalog), "contacts": contact_service.present_all(contacts)}


def _contact_plan(fields: CustomerFields, customer_id: str, existing: list[Item], now: str,
                  errors: list[FieldError], org: str) -> tuple[ContactChanges | None, list[Item]]:
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


def _load(org: str, customer_id: str) -> Item:
    _require_uuid(customer_id)
    record = store.get_customer(org, customer_id)
    if record is None:
        raise NotFound("No such customer.")
    return record


def _ancestors_above(org: str, parent: Item) -> list[Item]:
    """Walk up from the parent's parent; bounded by the depth limit (+1 to detect overflow)."""
    chain: list[Item] = []
    next_id = parent.get("parentCustomerId")
    seen = {parent["id"]}
    while next_id and len(chain) <= MAX_DEPTH and next_id not in seen:
        seen.add(next_id)
        ancestor = store.get_customer(org, next_id)
        if ancestor is None:
            break
        chain.append(ancestor)
        next_id = ancestor.get("parentCustomerId")
    return chain


def _subtree_height(org: str, customer: Item) -> int:
    """Levels of live descendants below a customer that has children (rare: only on re-parent)."""
    if as_int(customer.get("liveChildren")) <= 0:
        return 0
    level = [customer["id"]]
    height = 0
    while level and height <= MAX_DEPTH:
        level = [child for parent_id in level for child in store.child_ids(org, parent_id)]
        if level:
            height += 1
    return height


def check_parent(org: str, catalog: Catalog, record: dict[str, Any], existing: Item | None,
                    parent: Item | None) -> tuple[list[FieldError], list[Item]]:
    """Hierarchy rules for the record against its (new or unchanged) parent."""
    parent_id = record.get("parentCustomerId")
    errors: list[FieldError] = []
    if parent_id and (parent is None or parent.get("deletedAt")):
        errors.append(FieldError("parentCustomerId", "The parent must be a live customer of this organisation."))
        return errors, []
    chain = _ancestors_above(org, parent) if parent else []
    ancestor_ids = ([parent["id"]] if parent else []) + [item["id"] for item in chain]
    moving = existing is not None and existing.get("parentCustomerId") != parent_id
    errors += check_hierarchy(
        customer_id=record["id"],
        role=hierarchy_role(catalog, record["customerTypeId"]),
        parent_id=parent_id,
        parent_role=hierarchy_role(catalog, parent["customerTypeId"]) if parent else None,
        ancestor_ids=ancestor_ids,
        subtree_height=_subtree_height(org, existing) if existing is not None and moving else 0,
        live_member_children=as_int(existing.get("liveMemberChildren")) if existing else 0,
    )
    return errors, chain


def reference_guards(org: str, catalog: Catalog, record: dict[str, Any], existing: Item | None) -> list[GuardChange]:
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


def hierarchy_links(record: dict[str, Any], existing: Item | None, parent: Item | None, chain: list[Item],
           role_changed: bool) -> HierarchyLinks:
    old_parent = existing.get("parentCustomerId") if existing else None
    new_parent = record.get("parentCustomerId")
    links = HierarchyLinks(new_is_member=bool(record["isMember"]),
                           old_is_member=bool(existing.get("isMember")) if existing else False)
    if existing is not None and old_parent == new_parent:
        if new_parent and role_changed:
            # Same parent, membership changed: one update on the parent adjusts its member count.
            links.new_parent = parent
            links.chain = chain
            links.member_delta = int(links.new_is_member) - int(links.old_is_member)
        return links
    links.old_parent_id = old_parent
    links.detach = bool(old_parent)
    links.new_parent = parent if new_parent else None
    links.chain = chain
    links.attach = bool(new_parent)
    return links


@dataclass(frozen=True)
class NewCustomer:
    """A validated new customer: its record and what its transaction must check and adjust."""

    record: dict[str, Any]
    guards: list[GuardChange]
    links: HierarchyLinks
    catalog: Catalog


def plan_new_customer(org: str, provided: dict[str, Any], customer_id: str, now: str,
                      errors: list[FieldError] | None = None, **stored: Any) -> NewCustomer:
    """Validate a new customer document (fields, references, hierarchy) for any creating path:
    POST /customers, the upsert by remote id. ``stored`` adds system fields such as remoteId."""
    catalog = catalog_for(org, provided)
    record, record_errors = build_record(provided, catalog, set(provided))
    record["id"] = customer_id
    parent = read_parent(org, record)
    hierarchy_errors, chain = check_parent(org, catalog, record, None, parent)
    raise_if([*(errors or []), *record_errors, *hierarchy_errors])
    record.update(version=1, createdAt=now, updatedAt=now, **stored,
                  isMember=hierarchy_role(catalog, record["customerTypeId"]) == "member")
    guards = reference_guards(org, catalog, record, None)
    return NewCustomer(record, guards, hierarchy_links(record, None, parent, chain, role_changed=False), catalog)


def create(org: str, fields: CustomerFields) -> Saved:
    _refuse_when_integration_owns_customers(orgs.catalog(org))
    customer_id = clock.new_id()
    now = clock.now_iso()
    contact_errors: list[FieldError] = []
    changes, contacts = _contact_plan(fields, customer_id, [], now, contact_errors, org)
    plan = plan_new_customer(org, fields.provided(), customer_id, now, contact_errors)
    store.create_customer(org, plan.record, plan.guards, plan.links, changes)
    return Saved(_with_contacts(plan.record, plan.catalog, contacts), 1)


def _refuse_when_integration_owns_customers(catalog: Catalog) -> None:
    if catalog.settings is not None and catalog.settings.customer_integration_enabled:
        raise Conflict("integration_enabled",
                       "Customers come from the integration while customerIntegrationEnabled is on; "
                       "create them there (or upsert by remote id).")


def read_parent(org: str, record: dict[str, Any]) -> Item | None:
    parent_id = record.get("parentCustomerId")
    if not parent_id:
        return None
    if not clock.is_uuid(parent_id):
        raise ValidationFailed.of("parentCustomerId", "The parent must be a live customer of this organisation.")
    return store.get_customer(org, parent_id)


def get(org: str, customer_id: str) -> Saved:
    _require_uuid(customer_id)
    record, contacts = _document(org, customer_id)
    if record is None:
        raise NotFound("No such customer.")
    catalog = orgs.catalog(org)
    return Saved(_with_contacts(record, catalog, contacts), as_int(record.get("version")))


def change(org: str, customer_id: str, fields: CustomerFields, expected_version: int, *, whole: bool,
           document: Document | None = None) -> Saved:
    """PATCH (``whole=False``: only sent fields change) or PUT (``whole=True``: omitted → default).
    Either reconciles the contacts when the body has ``contacts``, in the same transaction.
    ``document`` is the caller's own read of it (the save is still conditional on the version)."""
    _require_uuid(customer_id)
    provided = fields.provided()
    # One Query: the customer and its contacts.
    existing, stored_contacts = document if document is not None else _document(org, customer_id)
    if existing is None:
        raise NotFound("No such customer.")
    if existing.get("deletedAt"):
        raise Conflict("customer_deleted", "The customer is deleted; restore it first.")
    if as_int(existing.get("version")) != expected_version:
        raise VersionConflict(as_int(existing.get("version")))

    values = {**document_fields(existing), **provided} if not whole else provided
    values = field_ownership.enforce(org, existing, provided, values)  # SPEC §5.3: owned fields
    changed = {name for name, value in values.items() if existing.get(name) != value}
    catalog = catalog_for(org, values)
    record, errors = build_record(values, catalog, changed)
    record["id"] = customer_id
    new_role = hierarchy_role(catalog, record["customerTypeId"])
    role_changed = new_role != hierarchy_role(catalog, existing.get("customerTypeId"))
    parent_changed = record["parentCustomerId"] != existing.get("parentCustomerId")
    parent: Item | None = None
    chain: list[Item] = []
    if record["parentCustomerId"] and (parent_changed or role_changed):
        if not clock.is_uuid(record["parentCustomerId"]):
            errors.append(FieldError("parentCustomerId", "The parent must be a live customer of this organisation."))
        else:
            parent = store.get_customer(org, record["parentCustomerId"])
    if parent_changed or role_changed:
        hierarchy_errors, chain = check_parent(org, catalog, record, existing, parent)
        errors += hierarchy_errors
    now = clock.now_iso()
    changes, contacts = _contact_plan(fields, customer_id, stored_contacts, now, errors, org)
    raise_if(errors)

    record.update(version=expected_version + 1, updatedAt=now, createdAt=existing.get("createdAt"),
                  isMember=hierarchy_role(catalog, record["customerTypeId"]) == "member")
    guards = reference_guards(org, catalog, record, existing)
    store.update_customer(org, existing, record, expected_version, guards,
                          hierarchy_links(record, existing, parent, chain, role_changed), changes)
    saved = {**existing, **record}
    return Saved(_with_contacts(saved, catalog, contacts), expected_version + 1)


def delete(org: str, customer_id: str, expected_version: int) -> None:
    existing = _load(org, customer_id)
    if existing.get("deletedAt"):
        raise Conflict("customer_deleted", "The customer is deleted already.")
    if as_int(existing.get("version")) != expected_version:
        raise VersionConflict(as_int(existing.get("version")))
    if as_int(existing.get("liveChildren")) > 0:
        raise Conflict("has_children", "The customer has live children; delete or move them first.")
    store.soft_delete_customer(org, existing, expected_version, clock.now_iso())


def restore(org: str, customer_id: str, expected_version: int) -> Saved:
    _require_uuid(customer_id)
    probe, contacts = _document(org, customer_id)
    if probe is None:
        raise NotFound("No such customer.")
    if as_int(probe.get("version")) != expected_version:
        raise VersionConflict(as_int(probe.get("version")))
    if not probe.get("deletedAt"):
        raise Conflict("not_deleted", "The customer is not deleted.")
    catalog = orgs.catalog(org)
    parent_id = probe.get("parentCustomerId")
    if parent_id:
        parent = store.get_customer(org, parent_id)
        if parent is None or parent.get("deletedAt"):
            raise Conflict("parent_deleted", "The customer's parent is deleted; restore the parent first.")
        if probe.get("isMember") and hierarchy_role(catalog, parent.get("customerTypeId")) != "purchaser":
            raise ValidationFailed.of("parentCustomerId", "The parent is no longer a purchaser; change it first.")
    now = clock.now_iso()
    store.restore_customer(org, probe, expected_version, now)
    restored = {**probe, "version": expected_version + 1, "updatedAt": now}
    restored.pop("deletedAt", None)
    return Saved(_with_contacts(restored, catalog, contacts), expected_version + 1)


# --- listing ------------------------------------------------------------------------------------------

# Most selective first: the list Query runs on the first filter present; the rest filter the page.
_INDEX_PREFERENCE = ("parentCustomerId", "brokerId", "customerSegmentId", "customerCategoryId", "customerTypeId",
                     "accountState", "accountPriority")


def list_page(org: str, filters: dict[str, str | None], q: str | None, include_deleted: bool, limit: int,
              cursor: str | None) -> dict[str, Any]:
    from clientele.domain.names import sort_name

    active = {name: value for name, value in filters.items() if value}
    index_field = next((name for name in _INDEX_PREFERENCE if name in active), None)
    prefix = sort_name(q) if q and q.strip() else None
    scope = "customers|" + "|".join(f"{k}={v}" for k, v in sorted(active.items())) + f"|q={prefix}|d={include_deleted}"
    start = cursors.decode(org, scope, cursor)
    page = store.list_customers(
        org, index_field=index_field, index_value=active.get(index_field) if index_field else None,
        prefix=prefix, filters={k: v for k, v in active.items() if k != index_field},
        include_deleted=include_deleted, limit=limit, start=start,
    )
    catalog = orgs.catalog(org)
    return {"items": [present(item, catalog) for item in page.items],
            "nextCursor": cursors.encode(org, scope, page.last_key)}
