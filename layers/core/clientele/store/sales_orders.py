"""Sales order items: ``PK = ORG#<org>#SO#<id>``, ``SK = ORDER``; a customer's orders through GSI10
(``GSI10PK = ORG#<org>#CUSTSO#<customerId>``, ``GSI10SK = <createdAt>#<number>#<id>``).

* Numbers come from a per-org counter (``PK = ORG#<org>``, ``SK = SEQ#SO``) bumped with
  ``ADD … ReturnValues=UPDATED_NEW`` before the order's transaction: a transaction cannot return a
  value, so a failed save leaves a gap (allowed).
* The order's transaction also adds 1 to the customer's ``orderCount`` (conditional on the customer
  being live: 409 ``customer_deleted``) and to the project's ``orderRefs`` (conditional on the
  project existing under that customer), so RESTRICT on customers and projects is exact.
"""

from __future__ import annotations

from typing import Any

from clientele import aws
from clientele.errors import ClienteleError, CustomerDeleted, NotFound, ValidationFailed, VersionConflict
from clientele.store import keys
from clientele.store.customers import customer_key
from clientele.store.projects import project_key
from clientele.store.table import Item, ListPage, as_int, from_item, key, read_item, table_name, to_item, values
from clientele.store.transactions import Transaction
from clientele.store.updates import set_fields

ENTITY = "sales_order"
# Key and stored-only attributes an update never copies from the record.
_SYSTEM = frozenset({"PK", "SK", "entity", "id", "number", "sequence", "customerId", "createdAt", "version",
                     "customerSnapshot", "discountRate", *keys.INDEX_KEYS[keys.ORDERS_BY_CUSTOMER_INDEX]})


def order_key(org: str, order_id: str) -> dict[str, Any]:
    return key(keys.sales_order_pk(org, order_id), keys.ORDER_SK)


def next_number(org: str) -> int:
    """The org's next order number (atomic counter; never reused)."""
    response = aws.dynamodb().update_item(
        TableName=table_name(), Key=key(keys.org_pk(org), keys.ORDER_SEQUENCE_SK),
        UpdateExpression="ADD #n :one SET entity = :entity", ExpressionAttributeNames={"#n": "next"},
        ExpressionAttributeValues=values({":one": 1, ":entity": "sequence"}), ReturnValues="UPDATED_NEW",
    )
    return as_int(from_item(response["Attributes"])["next"])


def _customer_failure(old: Item | None) -> ClienteleError:
    if old is None:
        return ValidationFailed.of("customerId", "No such customer in this organisation.")
    return CustomerDeleted("The customer is deleted; restore it before ordering.")


def _project_missing(_old: Item | None) -> ClienteleError:
    return ValidationFailed.of("customerProjectId", "No such project for this customer.")


def _add_project_ref(tx: Transaction, org: str, customer_id: str, project_id: str, delta: int) -> None:
    if delta > 0:
        tx.update(project_key(org, customer_id, project_id), "ADD orderRefs :delta",
                  condition="attribute_exists(PK)", values=values({":delta": delta}), on_fail=_project_missing)
    else:
        tx.update(project_key(org, customer_id, project_id), "ADD orderRefs :delta",
                  condition="attribute_exists(PK)", values=values({":delta": delta}))


def create_order(org: str, record: Item) -> None:
    tx = Transaction()
    orders_pk, orders_sk = keys.INDEX_KEYS[keys.ORDERS_BY_CUSTOMER_INDEX]
    item = {"PK": keys.sales_order_pk(org, record["id"]), "SK": keys.ORDER_SK, "entity": ENTITY, **record,
            orders_pk: keys.customer_orders_partition(org, record["customerId"]),
            orders_sk: keys.order_sort_key(record["createdAt"], record["sequence"], record["id"])}
    tx.put(to_item(item), condition="attribute_not_exists(PK)")
    if record.get("customerProjectId"):  # first: when both fail, the 422 is named before the 409
        _add_project_ref(tx, org, record["customerId"], record["customerProjectId"], +1)
    tx.update(customer_key(org, record["customerId"]), "ADD orderCount :one",
              condition="attribute_exists(PK) AND attribute_not_exists(deletedAt)",
              values=values({":one": 1}), on_fail=_customer_failure)
    tx.commit()


def get_order(org: str, order_id: str) -> Item | None:
    return read_item(order_key(org, order_id))


def _order_failure(expected_version: int) -> Any:
    def failure(old: Item | None) -> ClienteleError:
        if old is None:
            return NotFound("No such sales order.")
        return VersionConflict(as_int(old.get("version")))

    return failure


def update_order(org: str, before: Item, after: Item, expected_version: int) -> None:
    """SET the changed document; move the project reference (``orderRefs``) when it changed."""
    tx = Transaction()
    attributes = {name: value for name, value in after.items() if name not in _SYSTEM}
    update, names, vals = set_fields(before, attributes, expected_version + 1)
    vals[":expected"] = expected_version
    tx.update(order_key(org, before["id"]), update, condition="attribute_exists(PK) AND #v = :expected",
              names=names, values=values(vals), on_fail=_order_failure(expected_version))
    old_project, new_project = before.get("customerProjectId"), after.get("customerProjectId")
    if old_project != new_project:
        if new_project:
            _add_project_ref(tx, org, before["customerId"], new_project, +1)
        if old_project:
            _add_project_ref(tx, org, before["customerId"], old_project, -1)
    tx.commit()


def list_customer_orders(org: str, customer_id: str, *, status: str | None, limit: int,
                         start: dict[str, Any] | None) -> ListPage:
    """One Query on GSI10, newest first (a status filter applies server-side to the page)."""
    pk_name, _ = keys.INDEX_KEYS[keys.ORDERS_BY_CUSTOMER_INDEX]
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": keys.ORDERS_BY_CUSTOMER_INDEX,
        "KeyConditionExpression": "#pk = :pk", "ScanIndexForward": False, "Limit": limit,
        "ExpressionAttributeNames": {"#pk": pk_name},
        "ExpressionAttributeValues": values({":pk": keys.customer_orders_partition(org, customer_id)}),
    }
    if status:
        request["FilterExpression"] = "#status = :status"
        request["ExpressionAttributeNames"]["#status"] = "status"
        request["ExpressionAttributeValues"][":status"] = {"S": status}
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return ListPage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"))
