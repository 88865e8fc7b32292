"""Activity use cases (SPEC §4.5): the customer's timeline and the org's open tasks.

Writes read nothing but the activity being changed: the customer's liveness and the project and
attendees a save newly references are ConditionChecks in the save's transaction.
"""

from __future__ import annotations

from typing import Any

from clientele import clock, cursors
from clientele.domain.activities import ActivityFields, check_activity
from clientele.domain.dates import is_calendar_date
from clientele.domain.fields import clean_text
from clientele.errors import FieldError, NotFound, ValidationFailed, VersionConflict
from clientele.services.lookups import found, require_uuid
from clientele.services.saved import Saved
from clientele.store import activities as store
from clientele.store import customers as customer_store
from clientele.store.activities import References
from clientele.store.table import Item, as_int

_FIELDS = ("type", "occurredAt", "title", "body", "dueDate", "status", "customerProjectId", "attendees")


def present(record: Item) -> dict[str, Any]:
    return {
        "id": record["id"],
        "customerId": record.get("customerId"),
        "type": record.get("type"),
        "occurredAt": record.get("occurredAt"),
        "title": record.get("title"),
        "body": record.get("body"),
        "dueDate": record.get("dueDate"),
        "status": record.get("status"),
        "completedAt": record.get("completedAt"),
        "customerProjectId": record.get("customerProjectId"),
        "attendees": list(record.get("attendees") or []),
        "version": as_int(record.get("version"), 1),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
    }


def _require_ids(customer_id: str, activity_id: str | None = None) -> None:
    require_uuid(customer_id, "customer")
    require_uuid(activity_id, "activity")


def _build(values: dict[str, Any], before: Item | None, now: str) -> tuple[Item, list[FieldError]]:
    """The stored activity from merged values; a task's status defaults to open, done stamps completedAt."""
    record: Item = {
        "type": values.get("type"),
        "occurredAt": values.get("occurredAt") or now,
        "title": clean_text(values.get("title")),
        "body": values.get("body") if values.get("body") and values["body"].strip() else None,
        "dueDate": values.get("dueDate"),
        "status": values.get("status"),
        "customerProjectId": values.get("customerProjectId"),
        "attendees": list(dict.fromkeys(values.get("attendees") or [])) or None,
    }
    if record["type"] == "task" and record["status"] is None:
        record["status"] = "open"
    errors = check_activity(record)
    if record["customerProjectId"] is not None and not clock.is_uuid(record["customerProjectId"]):
        errors.append(FieldError("customerProjectId", "No such project for this customer."))
    for position, attendee in enumerate(values.get("attendees") or []):
        if not clock.is_uuid(attendee):
            errors.append(FieldError(f"attendees[{position}]", "Not a contact of this customer."))
    was_done = before is not None and before.get("type") == "task" and before.get("status") == "done"
    if record["type"] == "task" and record["status"] == "done":
        record["completedAt"] = before.get("completedAt") if was_done and before is not None else now
    else:
        record["completedAt"] = None  # reopening (or leaving the task type) clears it
    return record, errors


def _references(values: dict[str, Any], record: Item, before: Item | None) -> References:
    """Only references the save introduces are checked (an existing one may outlive its target)."""
    references = References()
    project = record.get("customerProjectId")
    if project and (before is None or before.get("customerProjectId") != project):
        references.project_id = project
    known = set(before.get("attendees") or []) if before is not None else set()
    seen: set[str] = set()
    for position, attendee in enumerate(values.get("attendees") or []):
        if attendee not in known and attendee not in seen:
            references.attendees.append((position, attendee))
        seen.add(attendee)
    return references


def create(org: str, customer_id: str, fields: ActivityFields) -> Saved:
    _require_ids(customer_id)
    values = fields.provided()
    now = clock.now_iso()
    record, errors = _build(values, None, now)
    if errors:
        raise ValidationFailed(errors)
    record.update(id=clock.new_id(), customerId=customer_id, version=1, createdAt=now, updatedAt=now)
    store.create_activity(org, record, _references(values, record, None))
    return Saved(present(record), 1)


def update(org: str, customer_id: str, activity_id: str, fields: ActivityFields, expected_version: int) -> Saved:
    _require_ids(customer_id, activity_id)
    before = found(store.get_activity(org, customer_id, activity_id), "activity")
    if as_int(before.get("version")) != expected_version:
        raise VersionConflict(as_int(before.get("version")))
    provided = fields.provided()
    values = {**{name: before.get(name) for name in _FIELDS}, **provided}
    now = clock.now_iso()
    record, errors = _build(values, before, now)
    if errors:
        raise ValidationFailed(errors)
    record.update(id=activity_id, customerId=customer_id, version=expected_version + 1,
                  createdAt=before.get("createdAt"), updatedAt=now)
    store.update_activity(org, before, record, expected_version, _references(provided, record, before))
    return Saved(present(record), expected_version + 1)


def delete(org: str, customer_id: str, activity_id: str, expected_version: int) -> None:
    _require_ids(customer_id, activity_id)
    store.delete_activity(org, customer_id, activity_id, expected_version)


def timeline(org: str, customer_id: str, activity_type: str | None, project_id: str | None, limit: int,
             cursor: str | None) -> dict[str, Any]:
    """A page of the customer's activities, newest first: one Query (plus one GetItem only when the
    first page finds no activity at all, to tell an empty timeline from a customer that is not there)."""
    _require_ids(customer_id)
    scope = f"activities|{customer_id}|type={activity_type}|project={project_id}"
    start = cursors.decode(org, scope, cursor)
    page = store.list_timeline(org, customer_id, activity_type=activity_type, project_id=project_id, limit=limit,
                               start=start)
    if start is None and page.scanned == 0 and customer_store.get_customer(org, customer_id) is None:
        raise NotFound("No such customer.")
    return {"items": [present(item) for item in page.items], "nextCursor": cursors.encode(org, scope, page.last_key)}


def tasks(org: str, status: str, due_before: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """The org's tasks of one status, earliest due date first (undated last); one Query per page."""
    if due_before is not None and not is_calendar_date(due_before):
        raise ValidationFailed.of("dueBefore", "Use a calendar date YYYY-MM-DD.")
    scope = f"tasks|{status}|due<{due_before}"
    start = cursors.decode(org, scope, cursor)
    page = store.list_tasks(org, status=status, due_before=due_before, limit=limit, start=start)
    return {"items": [present(item) for item in page.items], "nextCursor": cursors.encode(org, scope, page.last_key)}
