"""GET /imports/{importId}: an import's status, counters and row errors."""

from __future__ import annotations

from typing import Any

from clientele import clock
from clientele.errors import NotFound
from clientele.store import imports as store
from clientele.store.table import Item, as_int

STATUSES = ("pending", "running", "succeeded", "completed_with_errors", "failed")
FINISHED = frozenset({"succeeded", "completed_with_errors", "failed"})


def present_import(record: Item) -> dict[str, Any]:
    return {
        "id": record["id"],
        "status": record.get("status", "pending"),
        "filename": record.get("filename"),
        "rowsTotal": as_int(record.get("rowsTotal")),
        "rowsImported": as_int(record.get("rowsImported")),
        "rowsFailed": as_int(record.get("rowsFailed")),
        "errors": [{"row": as_int(error.get("row")), "field": error.get("field"), "message": error.get("message")}
                   for error in record.get("errors") or []],
        "errorsTruncated": bool(record.get("errorsTruncated", False)),
        "message": record.get("message"),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
    }


def get(org: str, import_id: str) -> dict[str, Any]:
    if not clock.is_uuid(import_id):
        raise NotFound("No such import.")
    record = store.get_import(org, import_id)
    if record is None:
        raise NotFound("No such import.")
    return present_import(record)
