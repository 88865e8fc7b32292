"""Sales order items: ``PK = ORG#<org>#SO#<id>``, ``SK = ORDER``; a customer's orders through GSI10
(``GSI10PK = ORG#<org>#CUSTSO#<customerId>``, ``GSI10SK = <createdAt>#<number>#<id>``).

* Numbers come from a per-org counter (``PK = ORG#<org>``, ``SK = SEQ#SO``) bumped with
  ``ADD … ReturnValues=UPDATED_NEW`` before the order's transaction: a transaction cannot return a
  value, so a failed save leaves a gap (allowed).
* The order's transaction also adds 1 to the customer's ``orderCount`` (conditional on the customer
  being live: 409 ``customer_deleted``) and to the project's ``orderRefs`` (conditional on the
  project existing under that customer), so RESTRICT on customers and projects is exact.
* A confirmation or the cancelling of a confirmed order moves the customer's ``openOrderValue`` and
  ``creditAvailable`` (``store.customers``) by the order's total in the same transaction (a
  :class:`CreditMove`); a confirmation the credit limit must allow is conditional on
  ``creditAvailable >= total`` there: 409 ``credit_limit_exceeded`` with the figures, no extra read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clientele import aws
from clientele.domain.money import money_text
from clientele.errors import ClienteleError, Conflict, CustomerDeleted, NotFound, ValidationFailed, VersionConflict
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


@dataclass(frozen=True)
class CreditMove:
    """What an order's write does to its customer's open order value (SPEC §13)."""

    amount: Decimal  # the order's total: + when it is confirmed, - when a confirmed order is cancelled
    check: bool  # the credit limit must allow it (a confirmation an admin did not override)


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


def credit_limit_exceeded(customer: Item, total: Decimal) -> Conflict:
    """409 with both figures (and the order's total): confirming would pass the customer's credit limit."""
    limit = Decimal(str(customer.get("creditLimit") or 0))
    open_value = Decimal(str(customer.get("openOrderValue") or 0))
    return Conflict(
        "credit_limit_exceeded",
        f"Confirming this order ({money_text(total)}) would take the customer's open order value from "
        f"{money_text(open_value)} to {money_text(open_value + total)}, over its credit limit of "
        f"{money_text(limit)}. Raise the limit, or an admin confirms with overrideCreditLimit: true.",
        creditLimit=money_text(limit), openOrderValue=money_text(open_value), orderTotal=money_text(total),
        errors=[{"field": "status", "message": "Over the customer's credit limit."}],
    )


def _credit_update(credit: CreditMove | None) -> tuple[str, str | None, dict[str, Any]]:
    """(ADD clause, condition, values) moving the customer's credit figures by ``credit``."""
    if credit is None or not credit.amount:
        return "", None, {}
    vals: dict[str, Any] = {":open": credit.amount, ":available": -credit.amount}
    condition = None
    if credit.check and credit.amount > 0:
        condition = "(attribute_not_exists(creditLimit) OR creditAvailable >= :open)"
    return "openOrderValue :open, creditAvailable :available", condition, vals


def _project_missing(_old: Item | None) -> ClienteleError:
    return ValidationFailed.of("customerProjectId", "No such project for this customer.")


def _add_project_ref(tx: Transaction, org: str, customer_id: str, project_id: str, delta: int) -> None:
    if delta > 0:
        tx.update(project_key(org, customer_id, project_id), "ADD orderRefs :delta",
                  condition="attribute_exists(PK)", values=values({":delta": delta}), on_fail=_project_missing)
    else:
        tx.update(project_key(org, customer_id, project_id), "ADD orderRefs :delta",
                  condition="attribute_exists(PK)", values=values({":delta": delta}))


def create_order(org: str, record: Item, credit: CreditMove | None = None) -> None:
    tx = Transaction()
    orders_pk, orders_sk = keys.INDEX_KEYS[keys.ORDERS_BY_CUSTOMER_INDEX]
    item = {"PK": keys.sales_order_pk(org, record["id"]), "SK": keys.ORDER_SK, "entity": ENTITY, **record,
            orders_pk: keys.customer_orders_partition(org, record["customerId"]),
            orders_sk: keys.order_sort_key(record["createdAt"], record["sequence"], record["id"])}
    tx.put(to_item(item), condition="attribute_not_exists(PK)")
    if record.get("customerProjectId"):  # first: when both fail, the 422 is named before the 409
        _add_project_ref(tx, org, record["customerId"], record["customerProjectId"], +1)
    credit_add, credit_condition, credit_values = _credit_update(credit)
    condition = "attribute_exists(PK) AND attribute_not_exists(deletedAt)"

    def failure(old: Item | None) -> ClienteleError:
        if old is not None and not old.get("deletedAt") and credit is not None:
            return credit_limit_exceeded(old, credit.amount)
        return _customer_failure(old)

    tx.update(customer_key(org, record["customerId"]), "ADD orderCount :one" + (f", {credit_add}" if credit_add else ""),
              condition=f"{condition} AND {credit_condition}" if credit_condition else condition,
              values=values({":one": 1, **credit_values}), on_fail=failure)
    tx.commit()


def get_order(org: str, order_id: str) -> Item | None:
    return read_item(order_key(org, order_id))


def _order_failure(expected_version: int) -> Any:
    def failure(old: Item | None) -> ClienteleError:
        if old is None:
            return NotFound("No such sales order.")
        return VersionConflict(as_int(old.get("version")))

    return failure


def update_order(org: str, before: Item, after: Item, expected_version: int, credit: CreditMove | None = None) -> None:
    """SET the changed document; move the project reference (``orderRefs``) when it changed, and the
    customer's credit figures by ``credit``."""
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
    credit_add, credit_condition, credit_values = _credit_update(credit)
    if credit is not None and credit_add:
        amount = credit.amount

        def over_limit(old: Item | None) -> ClienteleError:
            return credit_limit_exceeded(old, amount) if old is not None else NotFound("No such customer.")

        tx.update(customer_key(org, before["customerId"]), f"ADD {credit_add}", condition=credit_condition,
                  values=values(credit_values), on_fail=over_limit if credit_condition else None)
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
