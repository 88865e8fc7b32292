"""Address-book entries: ``PK = ORG#<org>#ADDRESS#<id>``, ``SK = ADDRESS`` — one partition per entry, so the
``contactRefs`` counters that contact saves change are spread out. Listed by folded label through the
overloaded GSI1 (``GSI1PK = ORG#<org>#ADDRESSES``, ``GSI1SK = <folded label>#<id>``).

``contactRefs`` counts the contacts that reference the entry; contact saves change it in their own
transaction, so the delete (conditional on 0) is exact.
"""

from __future__ import annotations

from typing import Any

from clientele import aws
from clientele.domain.names import sort_name
from clientele.errors import ClienteleError, Conflict, NotFound, VersionConflict
from clientele.store import keys
from clientele.store.contacts import address_entry_key
from clientele.store.table import Item, ListPage, as_int, from_item, read_item, table_name, to_item, values
from clientele.store.transactions import Transaction
from clientele.store.updates import set_fields

_SYSTEM = frozenset({"PK", "SK", "entity", "id", "createdAt", "version", "contactRefs"})


def _index_attributes(org: str, record: Item) -> dict[str, Any]:
    pk_name, sk_name = keys.INDEX_KEYS[keys.NAME_INDEX]
    return {pk_name: keys.addresses_partition(org), sk_name: keys.name_sort_key(sort_name(record["label"]), record["id"])}


def _entry_failure(expected_version: int) -> Any:
    def failure(old: Item | None) -> ClienteleError:
        if old is None:
            return NotFound("No such address-book entry.")
        if as_int(old.get("version")) != expected_version:
            return VersionConflict(as_int(old.get("version")))
        return Conflict("in_use", f"{as_int(old.get('contactRefs'))} contact(s) use this address; "
                                  "point them elsewhere first.")

    return failure


def create_entry(org: str, record: Item) -> None:
    item = {"PK": keys.address_pk(org, record["id"]), "SK": keys.ADDRESS_SK, "entity": "address_entry", **record,
            **_index_attributes(org, record), "contactRefs": 0}
    Transaction().put(to_item(item), condition="attribute_not_exists(PK)").commit()


def get_entry(org: str, entry_id: str) -> Item | None:
    return read_item(address_entry_key(org, entry_id))


def update_entry(org: str, before: Item, after: Item, expected_version: int) -> None:
    attributes = {**{k: v for k, v in after.items() if k not in _SYSTEM}, **_index_attributes(org, after)}
    update, names, vals = set_fields(before, attributes, expected_version + 1)
    vals[":expected"] = expected_version
    Transaction().update(address_entry_key(org, before["id"]), update,
                         condition="attribute_exists(PK) AND #v = :expected", names=names, values=values(vals),
                         on_fail=_entry_failure(expected_version)).commit()


def delete_entry(org: str, entry_id: str, expected_version: int) -> None:
    Transaction().delete(address_entry_key(org, entry_id),
                         condition="attribute_exists(PK) AND #v = :expected "
                                   "AND (attribute_not_exists(contactRefs) OR contactRefs = :zero)",
                         names={"#v": "version"}, values=values({":expected": expected_version, ":zero": 0}),
                         on_fail=_entry_failure(expected_version)).commit()


def list_entries(org: str, *, limit: int, start: dict[str, Any] | None) -> ListPage:
    """One Query on GSI1's address-book partition, by folded label."""
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": keys.NAME_INDEX,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": keys.INDEX_KEYS[keys.NAME_INDEX][0]},
        "ExpressionAttributeValues": values({":pk": keys.addresses_partition(org)}),
        "Limit": limit,
    }
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return ListPage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"))
