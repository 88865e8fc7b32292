"""Activity items: ``PK = ORG#<org>#CUST#<customerId>``, ``SK = ACTIVITY#<id>``.

* The timeline is the local index LSI1 (``LSI1SK = ACTIVITY#<occurredAt>#<id>``): one strongly
  consistent Query per page, newest first, and a changed ``occurredAt`` moves no item.
* Tasks also carry ``GSI9PK = ORG#<org>#TASKS#<status>``, ``GSI9SK = <dueDate|9999-12-31>#<id>``:
  a sparse index of the org's tasks, earliest due date first. Other activities never enter it.
* A write checks, in its transaction, that the customer is live and that the project and the
  attendees it newly references exist under the same customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clientele import aws
from clientele.errors import ClienteleError, NotFound, ValidationFailed, VersionConflict
from clientele.store import keys
from clientele.store.contacts import contact_key
from clientele.store.customers import check_customer_live
from clientele.store.projects import project_key
from clientele.store.table import Item, ListPage, as_int, from_item, key, read_item, table_name, to_item, values
from clientele.store.transactions import Transaction
from clientele.store.updates import set_fields

_SYSTEM = frozenset({"PK", "SK", "entity", "id", "customerId", "createdAt", "version"})
_TASK_KEYS = frozenset(keys.INDEX_KEYS[keys.TASK_INDEX])


@dataclass
class References:
    """References a save introduces, each verified by a ConditionCheck in the transaction."""

    project_id: str | None = None
    attendees: list[tuple[int, str]] = field(default_factory=list)  # (position in the request, contact id)


def activity_key(org: str, customer_id: str, activity_id: str) -> dict[str, Any]:
    return key(keys.customer_pk(org, customer_id), keys.activity_sk(activity_id))


def index_attributes(org: str, record: Item) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        keys.CUSTOMER_LOCAL_SK: keys.activity_timeline_sk(record["occurredAt"], record["id"]),
    }
    task_pk, task_sk = keys.INDEX_KEYS[keys.TASK_INDEX]
    attributes[task_pk] = attributes[task_sk] = None
    if record.get("type") == "task":
        attributes[task_pk] = keys.tasks_partition(org, record.get("status") or "open")
        attributes[task_sk] = keys.task_sort_key(record.get("dueDate"), record["id"])
    return attributes


def _activity_failure(old: Item | None) -> ClienteleError:
    if old is None:
        return NotFound("No such activity.")
    return VersionConflict(as_int(old.get("version")))


def _add_references(tx: Transaction, org: str, customer_id: str, references: References) -> None:
    check_customer_live(tx, org, customer_id)
    if references.project_id:
        def no_project(_old: Item | None) -> ClienteleError:
            return ValidationFailed.of("customerProjectId", "No such project for this customer.")

        tx.check(project_key(org, customer_id, references.project_id), "attribute_exists(PK)", on_fail=no_project)
    for position, contact_id in references.attendees:
        def no_contact(_old: Item | None, position: int = position) -> ClienteleError:
            return ValidationFailed.of(f"attendees[{position}]", "Not a contact of this customer.")

        tx.check(contact_key(org, customer_id, contact_id), "attribute_exists(PK)", on_fail=no_contact)


def create_activity(org: str, record: Item, references: References) -> None:
    tx = Transaction()
    _add_references(tx, org, record["customerId"], references)
    item = {"PK": keys.customer_pk(org, record["customerId"]), "SK": keys.activity_sk(record["id"]),
            "entity": "activity", **record, **index_attributes(org, record)}
    tx.put(to_item(item), condition="attribute_not_exists(PK)")
    tx.commit()


def get_activity(org: str, customer_id: str, activity_id: str) -> Item | None:
    return read_item(activity_key(org, customer_id, activity_id))


def update_activity(org: str, before: Item, after: Item, expected_version: int, references: References) -> None:
    tx = Transaction()
    _add_references(tx, org, before["customerId"], references)
    attributes = {**{k: v for k, v in after.items() if k not in _SYSTEM}, **index_attributes(org, after)}
    update, names, vals = set_fields(before, attributes, expected_version + 1, _TASK_KEYS)
    vals[":expected"] = expected_version
    tx.update(activity_key(org, before["customerId"], before["id"]), update,
              condition="attribute_exists(PK) AND #v = :expected", names=names, values=values(vals),
              on_fail=_activity_failure)
    tx.commit()


def delete_activity(org: str, customer_id: str, activity_id: str, expected_version: int) -> None:
    tx = Transaction()
    check_customer_live(tx, org, customer_id)
    tx.delete(activity_key(org, customer_id, activity_id), condition="attribute_exists(PK) AND #v = :expected",
              names={"#v": "version"}, values=values({":expected": expected_version}), on_fail=_activity_failure)
    tx.commit()


@dataclass
class TimelinePage(ListPage):
    scanned: int = 0


def list_timeline(org: str, customer_id: str, *, activity_type: str | None, project_id: str | None, limit: int,
                  start: dict[str, Any] | None) -> TimelinePage:
    """One Query on LSI1, newest first; type and project filter the page server-side."""
    names = {"#sk": keys.CUSTOMER_LOCAL_SK}
    vals: dict[str, Any] = {":pk": keys.customer_pk(org, customer_id), ":prefix": keys.ACTIVITY_PREFIX}
    filters = []
    if activity_type:
        filters.append("#type = :type")
        names["#type"] = "type"
        vals[":type"] = activity_type
    if project_id:
        filters.append("customerProjectId = :project")
        vals[":project"] = project_id
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": keys.CUSTOMER_LOCAL_INDEX,
        "KeyConditionExpression": "PK = :pk AND begins_with(#sk, :prefix)",
        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values(vals),
        "ScanIndexForward": False, "ConsistentRead": True, "Limit": limit,
    }
    if filters:
        request["FilterExpression"] = " AND ".join(filters)
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return TimelinePage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"),
                        scanned=int(response.get("ScannedCount", 0)))


def list_tasks(org: str, *, status: str, due_before: str | None, limit: int,
               start: dict[str, Any] | None) -> ListPage:
    """One Query on the sparse task index: earliest due date first, ``dueBefore`` exclusive."""
    task_pk, task_sk = keys.INDEX_KEYS[keys.TASK_INDEX]
    condition = "#pk = :pk"
    names = {"#pk": task_pk}
    vals: dict[str, Any] = {":pk": keys.tasks_partition(org, status)}
    if due_before:
        condition += " AND #sk < :due"
        names["#sk"] = task_sk
        vals[":due"] = due_before
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": keys.TASK_INDEX, "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values(vals), "Limit": limit,
    }
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return ListPage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"))
