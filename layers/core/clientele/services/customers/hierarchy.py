"""The customer hierarchy on save (SPEC §4.3): the parent's rules, and the counters a save adjusts."""

from __future__ import annotations

from typing import Any

from clientele import clock
from clientele.domain.customers import MAX_DEPTH, check_hierarchy
from clientele.errors import FieldError, ValidationFailed
from clientele.store import customers as store
from clientele.store.catalog import Catalog
from clientele.store.customers import HierarchyLinks
from clientele.store.table import Item, as_int

PARENT_MUST_BE_LIVE = "The parent must be a live customer of this organisation."


def hierarchy_role(catalog: Catalog, type_id: str | None) -> str:
    entry = catalog.entry("type", type_id) or {}
    return str(entry.get("hierarchyRole") or "none")


def read_parent(org: str, record: dict[str, Any]) -> Item | None:
    parent_id = record.get("parentCustomerId")
    if not parent_id:
        return None
    if not clock.is_uuid(parent_id):
        raise ValidationFailed.of("parentCustomerId", PARENT_MUST_BE_LIVE)
    return store.get_customer(org, parent_id)


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
    """Hierarchy rules for the record against its (new or unchanged) parent: (errors, ancestors above it)."""
    parent_id = record.get("parentCustomerId")
    errors: list[FieldError] = []
    if parent_id and (parent is None or parent.get("deletedAt")):
        errors.append(FieldError("parentCustomerId", PARENT_MUST_BE_LIVE))
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


def hierarchy_links(record: dict[str, Any], existing: Item | None, parent: Item | None, chain: list[Item],
                    role_changed: bool) -> HierarchyLinks:
    """What the save adjusts on the old and new parent (and their ancestors) in its transaction."""
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
