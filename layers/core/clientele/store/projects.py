"""Project items: ``PK = ORG#<org>#CUST#<customerId>``, ``SK = PROJECT#<id>``; listed by name through
LSI1 (``LSI1SK = PROJECT#<folded name>#<id>``).

The rollups (``orderCount``, ``orderValue``, ``activityCount``) are attributes the stream processor
maintains; saves SET only the document's fields so they survive. ``orderRefs`` counts the orders that
reference the project, changed in each order's transaction; a delete is conditional on it being 0.
"""

from __future__ import annotations

from typing import Any

from clientele import aws
from clientele.domain.names import sort_name
from clientele.errors import ClienteleError, Conflict, NotFound, VersionConflict
from clientele.store import keys
from clientele.store.customers import check_customer_live
from clientele.store.table import Item, ListPage, as_int, from_item, key, read_item, table_name, to_item, values
from clientele.store.transactions import Transaction
from clientele.store.updates import set_fields

_SYSTEM = frozenset({"PK", "SK", "entity", "id", "customerId", "createdAt", "version", "orderCount", "orderValue",
                     "activityCount", "orderRefs"})


def project_key(org: str, customer_id: str, project_id: str) -> dict[str, Any]:
    return key(keys.customer_pk(org, customer_id), keys.project_sk(project_id))


def _name_key(record: Item) -> str:
    return keys.project_name_sk(sort_name(record["name"]), record["id"])


def _project_failure(expected_version: int) -> Any:
    def failure(old: Item | None) -> ClienteleError:
        if old is None:
            return NotFound("No such project.")
        if as_int(old.get("version")) != expected_version:
            return VersionConflict(as_int(old.get("version")))
        return Conflict("in_use", "Sales orders reference this project; it cannot be deleted.")

    return failure


def create_project(org: str, record: Item) -> None:
    tx = Transaction()
    check_customer_live(tx, org, record["customerId"])
    item = {"PK": keys.customer_pk(org, record["customerId"]), "SK": keys.project_sk(record["id"]),
            "entity": "project", **record, keys.CUSTOMER_LOCAL_SK: _name_key(record), "orderRefs": 0}
    tx.put(to_item(item), condition="attribute_not_exists(PK)")
    tx.commit()


def get_project(org: str, customer_id: str, project_id: str) -> Item | None:
    return read_item(project_key(org, customer_id, project_id))


def update_project(org: str, before: Item, after: Item, expected_version: int) -> None:
    tx = Transaction()
    check_customer_live(tx, org, before["customerId"])
    attributes = {**{k: v for k, v in after.items() if k not in _SYSTEM}, keys.CUSTOMER_LOCAL_SK: _name_key(after)}
    update, names, vals = set_fields(before, attributes, expected_version + 1)
    vals[":expected"] = expected_version
    tx.update(project_key(org, before["customerId"], before["id"]), update,
              condition="attribute_exists(PK) AND #v = :expected", names=names, values=values(vals),
              on_fail=_project_failure(expected_version))
    tx.commit()


def delete_project(org: str, customer_id: str, project_id: str, expected_version: int) -> None:
    tx = Transaction()
    check_customer_live(tx, org, customer_id)
    tx.delete(project_key(org, customer_id, project_id),
              condition="attribute_exists(PK) AND #v = :expected "
                        "AND (attribute_not_exists(orderRefs) OR orderRefs = :zero)",
              names={"#v": "version"}, values=values({":expected": expected_version, ":zero": 0}),
              on_fail=_project_failure(expected_version))
    tx.commit()


def list_projects(org: str, customer_id: str, *, limit: int, start: dict[str, Any] | None) -> ListPage:
    """One Query on LSI1, by folded name."""
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": keys.CUSTOMER_LOCAL_INDEX,
        "KeyConditionExpression": "PK = :pk AND begins_with(#sk, :prefix)",
        "ExpressionAttributeNames": {"#sk": keys.CUSTOMER_LOCAL_SK},
        "ExpressionAttributeValues": values({":pk": keys.customer_pk(org, customer_id),
                                             ":prefix": keys.PROJECT_PREFIX}),
        "ConsistentRead": True, "Limit": limit,
    }
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return ListPage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"))
