"""Project use cases (SPEC §4.6). Rollups are read-only here: the stream processor maintains them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clientele import clock, cursors
from clientele.domain.fields import clean_text
from clientele.domain.money import money_text
from clientele.domain.projects import ProjectFields, check_project
from clientele.errors import NotFound, ValidationFailed, VersionConflict
from clientele.services.lookups import found, require_uuid
from clientele.services.saved import Saved
from clientele.store import customers as customer_store
from clientele.store import projects as store
from clientele.store.table import Item, as_int

_FIELDS = ("name", "status", "startDate", "targetEndDate", "summary")


def present(record: Item) -> dict[str, Any]:
    value = record.get("orderValue")
    return {
        "id": record["id"],
        "customerId": record.get("customerId"),
        "name": record.get("name") or "",
        "status": record.get("status") or "planning",
        "startDate": record.get("startDate"),
        "targetEndDate": record.get("targetEndDate"),
        "summary": record.get("summary"),
        "orderCount": as_int(record.get("orderCount")),
        "orderValue": money_text(value if isinstance(value, Decimal) else Decimal(0)),
        "activityCount": as_int(record.get("activityCount")),
        "version": as_int(record.get("version"), 1),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
    }


def _require_ids(customer_id: str, project_id: str | None = None) -> None:
    require_uuid(customer_id, "customer")
    require_uuid(project_id, "project")


def _build(values: dict[str, Any]) -> Item:
    record: Item = {
        "name": clean_text(values.get("name")),
        "status": values.get("status") or "planning",
        "startDate": values.get("startDate"),
        "targetEndDate": values.get("targetEndDate"),
        "summary": values.get("summary") if values.get("summary") and values["summary"].strip() else None,
    }
    errors = check_project(record)
    if errors:
        raise ValidationFailed(errors)
    return record


def create(org: str, customer_id: str, fields: ProjectFields) -> Saved:
    _require_ids(customer_id)
    record = _build(fields.provided())
    now = clock.now_iso()
    record.update(id=clock.new_id(), customerId=customer_id, version=1, createdAt=now, updatedAt=now,
                  orderCount=0, orderValue=Decimal(0), activityCount=0)
    store.create_project(org, record)
    return Saved(present(record), 1)


def _load(org: str, customer_id: str, project_id: str) -> Item:
    _require_ids(customer_id, project_id)
    return found(store.get_project(org, customer_id, project_id), "project")


def get(org: str, customer_id: str, project_id: str) -> Saved:
    found = _load(org, customer_id, project_id)
    return Saved(present(found), as_int(found.get("version"), 1))


def update(org: str, customer_id: str, project_id: str, fields: ProjectFields, expected_version: int) -> Saved:
    before = _load(org, customer_id, project_id)
    if as_int(before.get("version")) != expected_version:
        raise VersionConflict(as_int(before.get("version")))
    record = _build({**{name: before.get(name) for name in _FIELDS}, **fields.provided()})
    record.update(id=project_id, customerId=customer_id, version=expected_version + 1,
                  createdAt=before.get("createdAt"), updatedAt=clock.now_iso())
    store.update_project(org, before, record, expected_version)
    return Saved(present({**before, **record}), expected_version + 1)


def delete(org: str, customer_id: str, project_id: str, expected_version: int) -> None:
    _require_ids(customer_id, project_id)
    store.delete_project(org, customer_id, project_id, expected_version)


def list_page(org: str, customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of the customer's projects by name: one Query (plus one GetItem when a first page is
    empty, to answer 404 for a customer that is not there)."""
    _require_ids(customer_id)
    scope = f"projects|{customer_id}"
    start = cursors.decode(org, scope, cursor)
    page = store.list_projects(org, customer_id, limit=limit, start=start)
    if start is None and not page.items and customer_store.get_customer(org, customer_id) is None:
        raise NotFound("No such customer.")
    return {"items": [present(item) for item in page.items], "nextCursor": cursors.encode(org, scope, page.last_key)}
