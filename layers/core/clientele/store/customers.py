"""Customer items: ``PK = ORG#<org>#CUST#<id>``, ``SK = CUSTOMER``, indexed by name and facets.

Saves are one TransactWriteItems: the customer (conditional on its version and liveness), the
reference guards of the taxonomy entries it points at, and the live-children counters of its
old and new parents, so RESTRICT, ``has_children`` and hierarchy rules are exact at commit time.

Credit (SPEC §13): besides ``creditLimit`` the item keeps ``openOrderValue`` (the totals of its
confirmed orders) and ``creditAvailable`` = (``creditLimit`` or 0) - ``openOrderValue``, both changed by
ADD only — by the order transactions (``store.sales_orders``) and, for the limit's part, by a save that
changes ``creditLimit`` (ADD of the limit's change: the save is conditional on the version it read, so
the old limit is exact). ADDs commute, so the figure stays exact whatever interleaves, and an order's
confirmation checks ``creditAvailable >= total`` in its own transaction without reading the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clientele import aws
from clientele.domain.names import sort_name
from clientele.errors import ClienteleError, Conflict, CustomerDeleted, NotFound, ValidationFailed, VersionConflict
from clientele.store import keys
from clientele.store.contacts import ContactChanges, add_contact_changes
from clientele.store.table import Item, ListPage, as_int, from_item, key, read_item, table_name, to_item, values
from clientele.store.transactions import Transaction

# Derived or stored-only attributes that a save never copies from the document.
_SYSTEM = frozenset({"PK", "SK", "entity", "liveChildren", "liveMemberChildren", "createdAt", "remoteId",
                     "orderCount", "openOrderValue", "creditAvailable"})
# TransactWriteItems takes at most 100 items (docs/design/customer-parts.md does the arithmetic).
TRANSACTION_LIMIT = 100


def customer_key(org: str, customer_id: str) -> dict[str, Any]:
    return key(keys.customer_pk(org, customer_id), keys.CUSTOMER_SK)


def index_attributes(org: str, record: Item) -> dict[str, Any]:
    """GSI keys for a record: name order for all, plus one facet index per set filter field."""
    sk = keys.name_sort_key(sort_name(record["displayName"]), record["id"])
    name_pk, name_sk = keys.INDEX_KEYS[keys.NAME_INDEX]
    attributes: dict[str, Any] = {name_pk: keys.customers_partition(org), name_sk: sk}
    for field_name, (index, prefix) in keys.FACETS.items():
        pk_name, sk_name = keys.INDEX_KEYS[index]
        value = record.get(field_name)
        attributes[pk_name] = keys.facet_partition(org, prefix, value) if value else None
        attributes[sk_name] = sk if value else None
    return attributes


def get_customer(org: str, customer_id: str) -> Item | None:
    return read_item(customer_key(org, customer_id))


def get_customers(org: str, customer_ids: list[str]) -> dict[str, Item]:
    """Several customers in one BatchGetItem (ids may repeat; unprocessed keys are retried)."""
    unique = list(dict.fromkeys(customer_ids))
    if not unique:
        return {}
    if len(unique) == 1:
        found = get_customer(org, unique[0])
        return {unique[0]: found} if found else {}
    request: dict[str, Any] = {table_name(): {"Keys": [customer_key(org, cid) for cid in unique],
                                              "ConsistentRead": True}}
    result: dict[str, Item] = {}
    while request:
        response = aws.dynamodb().batch_get_item(RequestItems=request)
        for raw in response.get("Responses", {}).get(table_name(), []):
            item = from_item(raw)
            result[item["id"]] = item
        request = response.get("UnprocessedKeys") or {}
    return result


def query_customer_document(org: str, customer_id: str) -> list[Item]:
    """The customer item with its contacts: ``SK BETWEEN 'CONTACT#' AND 'CUSTOMER'`` in one Query."""
    response = aws.dynamodb().query(
        TableName=table_name(),
        KeyConditionExpression="PK = :pk AND SK BETWEEN :low AND :high",
        ExpressionAttributeValues=values({":pk": keys.customer_pk(org, customer_id), ":low": keys.CONTACT_PREFIX,
                                          ":high": keys.CUSTOMER_SK}),
        ConsistentRead=True,
    )
    return [from_item(item) for item in response.get("Items", [])]


def read_document(org: str, customer_id: str) -> tuple[Item | None, list[Item]]:
    """The customer item (None when there is none) and its contacts, from the one Query above."""
    items = query_customer_document(org, customer_id)
    record = next((item for item in items if item.get("entity") == "customer"), None)
    return record, [item for item in items if item.get("entity") == "contact"]


def child_ids(org: str, parent_id: str) -> list[str]:
    """Customers whose parent is ``parent_id`` (parent facet index; used for subtree depth)."""
    index, prefix = keys.FACETS["parentCustomerId"]
    pk_name, _ = keys.INDEX_KEYS[index]
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": index,
        "KeyConditionExpression": f"{pk_name} = :pk",
        "ExpressionAttributeValues": values({":pk": keys.facet_partition(org, prefix, parent_id)}),
        "ProjectionExpression": "id, deletedAt",
    }
    ids: list[str] = []
    while True:
        response = aws.dynamodb().query(**request)
        ids += [from_item(item)["id"] for item in response.get("Items", []) if "deletedAt" not in item]
        if "LastEvaluatedKey" not in response:
            return ids
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def list_customers(org: str, *, index_field: str | None, index_value: str | None, prefix: str | None,
                   filters: dict[str, str], include_deleted: bool, limit: int,
                   start: dict[str, Any] | None) -> ListPage:
    """One Query on the most selective index, in folded-name order; other filters apply server-side."""
    if index_field is None:
        index = keys.NAME_INDEX
        partition = keys.customers_partition(org)
    else:
        index, facet_prefix = keys.FACETS[index_field]
        partition = keys.facet_partition(org, facet_prefix, str(index_value))
    pk_name, sk_name = keys.INDEX_KEYS[index]
    condition = "#pk = :pk"
    names = {"#pk": pk_name}
    vals: dict[str, Any] = {":pk": partition}
    if prefix:
        condition += " AND begins_with(#sk, :prefix)"
        names["#sk"] = sk_name
        vals[":prefix"] = prefix
    filter_parts = []
    for position, (field_name, value) in enumerate(filters.items()):
        filter_parts.append(f"#f{position} = :f{position}")
        names[f"#f{position}"] = field_name
        vals[f":f{position}"] = value
    if not include_deleted:
        filter_parts.append("attribute_not_exists(deletedAt)")
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": index, "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values(vals), "Limit": limit,
    }
    if filter_parts:
        request["FilterExpression"] = " AND ".join(filter_parts)
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return ListPage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"))


# --- saving -------------------------------------------------------------------------------------------


def customer_failure(expected_version: int | None) -> Any:
    """Map a failed condition on the customer itself to 404 / 409 customer_deleted / 412."""

    def failure(old: Item | None) -> ClienteleError:
        if old is None:
            return NotFound("No such customer.")
        if expected_version is not None and as_int(old.get("version")) != expected_version:
            return VersionConflict(as_int(old.get("version")))
        if old.get("deletedAt"):
            return CustomerDeleted()
        if as_int(old.get("liveChildren")) > 0:
            return Conflict("has_children", "The customer has live children; delete or move them first.")
        return VersionConflict(as_int(old.get("version")))

    return failure


def currency_in_use(old: Item) -> Conflict:
    """409 in_use: the customer has orders, so its currency stays what they were made in."""
    current = old.get("currency") or "the org's default currency"
    return Conflict("in_use", f"The customer has sales orders, so its currency is fixed ({current}).",
                    errors=[{"field": "currency", "message": "Fixed once the customer has orders."}])


def _changing_currency(expected_version: int) -> Any:
    """A save that changes the currency also fails when the customer got an order since it was read."""
    otherwise = customer_failure(expected_version)

    def failure(old: Item | None) -> ClienteleError:
        if (old is not None and as_int(old.get("version")) == expected_version and not old.get("deletedAt")
                and as_int(old.get("orderCount")) > 0):
            return currency_in_use(old)
        return otherwise(old)

    return failure


def _credit_change(before: Item | None, record: Item) -> Decimal:
    """How much ``creditAvailable`` moves when the limit goes from the stored one to the record's."""
    old = before.get("creditLimit") if before else None
    new = record.get("creditLimit")
    return Decimal(str(new or 0)) - Decimal(str(old or 0))


def _reference_failure(field_name: str, message: str) -> Any:
    def failure(_old: Item | None) -> ClienteleError:
        return ValidationFailed.of(field_name, message)

    return failure


def _parent_failure(_old: Item | None) -> ClienteleError:
    return ValidationFailed.of("parentCustomerId", "The parent changed or was deleted while saving; check it and retry.")


@dataclass
class HierarchyLinks:
    """What the save must re-verify about the new parent chain and adjust on old/new parents."""

    new_parent: Item | None = None
    chain: list[Item] = field(default_factory=list)  # ancestors above the new parent, as read
    old_parent_id: str | None = None
    old_is_member: bool = False
    new_is_member: bool = False
    attach: bool = False  # counts toward the new parent's live children
    member_delta: int = 0  # same parent, membership changed with the customer's type
    detach: bool = False  # leaves the old parent's live children


@dataclass
class GuardChange:
    kind: str
    entry_id: str
    shard: int
    delta: int  # +1 / -1 customers referencing; 0 = existence check only
    require_active: bool = False
    require_role: str | None = None
    field: str = ""


def add_guard(tx: Transaction, org: str, change: GuardChange) -> None:
    guard = key(keys.guard_pk(org, change.kind, change.entry_id, change.shard), keys.GUARD_SK)
    conditions = ["attribute_exists(PK)"]
    vals: dict[str, Any] = {}
    if change.require_active:
        conditions.append("active = :true")
        vals[":true"] = True
    if change.require_role:
        conditions.append("(attribute_not_exists(#role) OR #role = :role)")
        vals[":role"] = change.require_role
    names = {"#role": "role"} if change.require_role else None
    on_fail = _reference_failure(change.field, f"The {change.kind} does not exist or is not active.")
    if change.delta == 0:
        tx.check(guard, " AND ".join(conditions), names=names, values=values(vals) if vals else None,
                 on_fail=on_fail)
    elif change.delta < 0:
        tx.update(guard, "ADD refs :delta", values=values({":delta": change.delta}))
    else:
        vals[":delta"] = change.delta
        tx.update(guard, "ADD refs :delta", condition=" AND ".join(conditions), names=names,
                  values=values(vals), on_fail=on_fail)


def add_parent_links(tx: Transaction, org: str, links: HierarchyLinks) -> None:
    detaching = links.old_parent_id if links.detach else None
    if detaching:
        # The old parent may also be an ancestor of the new one (moving a customer down under a
        # sibling): one operation per item, so its ancestor check rides on this update.
        ancestor = next((item for item in links.chain if item["id"] == detaching), None)
        update = "ADD liveChildren :minus" + (", liveMemberChildren :minus" if links.old_is_member else "")
        vals_detach: dict[str, Any] = {":minus": -1}
        detach_condition = None
        if ancestor is not None:
            grand = ancestor.get("parentCustomerId")
            detach_condition = "attribute_exists(PK) AND " + ("parentCustomerId = :above" if grand else
                                                              "attribute_not_exists(parentCustomerId)")
            if grand:
                vals_detach[":above"] = grand
        tx.update(customer_key(org, detaching), update, condition=detach_condition, values=values(vals_detach),
                  on_fail=_parent_failure if detach_condition else None)
    parent = links.new_parent
    if parent is None:
        return
    above = parent.get("parentCustomerId")
    vals: dict[str, Any] = {":type": parent["customerTypeId"]}
    condition = "attribute_exists(PK) AND attribute_not_exists(deletedAt) AND customerTypeId = :type AND "
    if above:
        condition += "parentCustomerId = :above"
        vals[":above"] = above
    else:
        condition += "attribute_not_exists(parentCustomerId)"
    if links.attach:
        update = "ADD liveChildren :plus" + (", liveMemberChildren :plus" if links.new_is_member else "")
        vals[":plus"] = 1
        tx.update(customer_key(org, parent["id"]), update, condition=condition, values=values(vals),
                  on_fail=_parent_failure)
    elif links.member_delta:
        vals[":delta"] = links.member_delta
        tx.update(customer_key(org, parent["id"]), "ADD liveMemberChildren :delta", condition=condition,
                  values=values(vals), on_fail=_parent_failure)
    else:
        tx.check(customer_key(org, parent["id"]), condition, values=values(vals), on_fail=_parent_failure)
    for ancestor in links.chain:
        if ancestor["id"] == detaching:
            continue
        grand = ancestor.get("parentCustomerId")
        check = "attribute_exists(PK) AND " + ("parentCustomerId = :above" if grand else
                                                "attribute_not_exists(parentCustomerId)")
        tx.check(customer_key(org, ancestor["id"]), check, values=values({":above": grand}) if grand else None,
                 on_fail=_parent_failure)


def _add_contacts_and_commit(tx: Transaction, org: str, customer_id: str, contacts: ContactChanges | None) -> None:
    if contacts:
        add_contact_changes(tx, org, customer_id, contacts)
        if len(tx) > TRANSACTION_LIMIT:
            raise ValidationFailed.of(
                "contacts", f"This save would write {len(tx)} items at once (at most {TRANSACTION_LIMIT}); "
                            "save the contact changes in two steps.")
    tx.commit()


def check_customer_live(tx: Transaction, org: str, customer_id: str) -> None:
    """A write under a customer (activity, project) requires it to exist and not be deleted."""

    def failure(old: Item | None) -> ClienteleError:
        if old is None:
            return NotFound("No such customer.")
        return CustomerDeleted()

    tx.check(customer_key(org, customer_id), "attribute_exists(PK) AND attribute_not_exists(deletedAt)",
             on_fail=failure)


def create_customer(org: str, record: Item, guards: list[GuardChange], links: HierarchyLinks,
                    contacts: ContactChanges | None = None, tx: Transaction | None = None) -> None:
    """The customer, its reference guards, parent counters and contacts: one transaction (``tx``, when the
    caller has put its own items in it first, e.g. the remote-id marker)."""
    tx = tx if tx is not None else Transaction()
    item = {"PK": keys.customer_pk(org, record["id"]), "SK": keys.CUSTOMER_SK, "entity": "customer",
            **record, **index_attributes(org, record)}
    if record.get("creditLimit"):
        item["creditAvailable"] = _credit_change(None, record)  # no orders yet: all of the limit
    tx.put(to_item(item), condition="attribute_not_exists(PK)")
    for change in guards:
        add_guard(tx, org, change)
    add_parent_links(tx, org, links)
    _add_contacts_and_commit(tx, org, record["id"], contacts)


def update_customer(org: str, before: Item, record: Item, expected_version: int, guards: list[GuardChange],
                    links: HierarchyLinks, contacts: ContactChanges | None = None, *,
                    require_no_orders: bool = False) -> None:
    """SET the document's fields (never a whole Put: counters on the item must survive); ADD the credit
    limit's change to ``creditAvailable``; ``require_no_orders``: only while the customer has none."""
    tx = Transaction()
    attributes = {**{k: v for k, v in record.items() if k not in _SYSTEM}, **index_attributes(org, record)}
    to_set = {name: value for name, value in attributes.items() if value is not None}
    to_remove = [name for name, value in attributes.items() if value is None and name in before]
    names = {f"#a{i}": name for i, name in enumerate(to_set)}
    update = "SET " + ", ".join(f"#a{i} = :a{i}" for i in range(len(to_set)))
    vals: dict[str, Any] = {f":a{i}": value for i, value in enumerate(to_set.values())}
    if to_remove:
        names.update({f"#r{i}": name for i, name in enumerate(to_remove)})
        update += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(to_remove)))
    credit = _credit_change(before, record)
    if credit:
        names["#credit"] = "creditAvailable"
        vals[":credit"] = credit
        update += " ADD #credit :credit"
    names["#version"] = "version"
    vals[":expected"] = expected_version
    condition = "attribute_exists(PK) AND #version = :expected AND attribute_not_exists(deletedAt)"
    failure = customer_failure(expected_version)
    if require_no_orders:
        condition += " AND (attribute_not_exists(#orders) OR #orders = :no_orders)"
        names["#orders"] = "orderCount"
        vals[":no_orders"] = 0
        failure = _changing_currency(expected_version)
    tx.update(customer_key(org, record["id"]), update, condition=condition,
              names=names, values=values(vals), on_fail=failure)
    for change in guards:
        add_guard(tx, org, change)
    add_parent_links(tx, org, links)
    _add_contacts_and_commit(tx, org, record["id"], contacts)


def soft_delete_customer(org: str, customer: Item, expected_version: int, deleted_at: str) -> None:
    tx = Transaction()
    tx.update(customer_key(org, customer["id"]),
              "SET deletedAt = :now, updatedAt = :now, #version = :next",
              condition="attribute_exists(PK) AND #version = :expected AND attribute_not_exists(deletedAt) "
                        "AND (attribute_not_exists(liveChildren) OR liveChildren = :zero)",
              names={"#version": "version"},
              values=values({":now": deleted_at, ":next": expected_version + 1, ":expected": expected_version,
                             ":zero": 0}),
              on_fail=customer_failure(expected_version))
    parent_id = customer.get("parentCustomerId")
    if parent_id:
        update = "ADD liveChildren :minus" + (", liveMemberChildren :minus" if customer.get("isMember") else "")
        tx.update(customer_key(org, parent_id), update, values=values({":minus": -1}))
    tx.commit()


def restore_customer(org: str, customer: Item, expected_version: int, restored_at: str) -> None:
    tx = Transaction()

    def failure(old: Item | None) -> ClienteleError:
        if old is None:
            return NotFound("No such customer.")
        if as_int(old.get("version")) != expected_version:
            return VersionConflict(as_int(old.get("version")))
        return Conflict("not_deleted", "The customer is not deleted.")

    tx.update(customer_key(org, customer["id"]),
              "REMOVE deletedAt SET updatedAt = :now, #version = :next",
              condition="attribute_exists(PK) AND #version = :expected AND attribute_exists(deletedAt)",
              names={"#version": "version"},
              values=values({":now": restored_at, ":next": expected_version + 1, ":expected": expected_version}),
              on_fail=failure)
    parent_id = customer.get("parentCustomerId")
    if parent_id:
        update = "ADD liveChildren :plus" + (", liveMemberChildren :plus" if customer.get("isMember") else "")

        def parent_deleted(_old: Item | None) -> ClienteleError:
            return Conflict("parent_deleted", "The customer's parent is deleted; restore the parent first.",
                            errors=[{"field": "parentCustomerId", "message": "The parent is deleted."}])

        tx.update(customer_key(org, parent_id), update,
                  condition="attribute_exists(PK) AND attribute_not_exists(deletedAt)",
                  values=values({":plus": 1}), on_fail=parent_deleted)
    tx.commit()
