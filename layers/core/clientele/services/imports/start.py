"""POST /imports: create the import (``pending``) and store its CSV, or hand out an upload URL for it."""

from __future__ import annotations

from typing import Any

from clientele import clock
from clientele.errors import PayloadTooLarge, ValidationFailed
from clientele.services import orgs
from clientele.services.customers.documents import refuse_while_integration_owns_customers
from clientele.store import imports as store
from clientele.store import uploads
from clientele.store.table import Item

MAX_INLINE_BYTES = 4 * 1024 * 1024  # the event stays under Lambda's 6 MB synchronous payload
UPLOAD_URL_SECONDS = 900


def _refuse_while_integration_on(org: str) -> None:
    refuse_while_integration_owns_customers(orgs.catalog(org), "imports are turned off.")


def _new_import(org: str, filename: str | None) -> Item:
    now = clock.now_iso()
    record: Item = {"id": clock.new_id(), "status": "pending", "filename": filename, "rowsTotal": 0,
                    "rowsImported": 0, "rowsFailed": 0, "errors": [], "createdAt": now, "updatedAt": now}
    store.create_import(org, record)
    return record


def start_inline(org: str, body: bytes) -> dict[str, Any]:
    _refuse_while_integration_on(org)
    if len(body) > MAX_INLINE_BYTES:
        raise PayloadTooLarge("An inline CSV may hold at most 4 MB; send {\"filename\": ...} for an upload URL.")
    if not body.strip():
        raise ValidationFailed.of("body", "The CSV file is empty.")
    record = _new_import(org, None)
    uploads.put_csv(org, record["id"], body)
    return {"id": record["id"], "status": record["status"]}


def start_upload(org: str, filename: str) -> dict[str, Any]:
    _refuse_while_integration_on(org)
    record = _new_import(org, filename)
    url = uploads.upload_url(org, record["id"], UPLOAD_URL_SECONDS)
    return {"id": record["id"], "uploadUrl": url, "status": record["status"]}
