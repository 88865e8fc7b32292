"""CSV import of customers (SPEC §5.2).

``start_inline`` / ``start_upload`` create the import (``pending``) and put the file in S3, or hand out
a pre-signed PUT for it; S3's "Object Created" event (through EventBridge) starts :func:`run_from_s3`.

The job streams the object: bytes → incremental UTF-8 decoding → lines → ``csv.reader``, so memory
stays flat whatever the file size. Each row obeys every rule of §4.3 (the same request model,
``build_record`` and hierarchy checks as POST /customers); a bad row is reported with its spreadsheet
row number (the header is row 1) and skipped. Good rows are written in batches of ``BATCH_SIZE``,
and the counters are saved after each batch. A row's customer id is ``uuid5(org, import id, row)``:
a re-run (a redelivered event, a retried job) finds those customers already there and creates nothing.
"""

from __future__ import annotations

import codecs
import csv
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from clientele import aws, clock
from clientele.config import config
from clientele.domain.customers import CustomerFields
from clientele.domain.names import fold
from clientele.errors import ClienteleError, Conflict, FieldError, NotFound, PayloadTooLarge, ValidationFailed
from clientele.services import customers, orgs
from clientele.services.customer_records import build_record
from clientele.store import customers as customer_store
from clientele.store import imports as store
from clientele.store.catalog import Catalog
from clientele.store.table import Item, as_int

logger = logging.getLogger("clientele")

MAX_INLINE_BYTES = 4 * 1024 * 1024  # the event stays under Lambda's 6 MB synchronous payload
BATCH_SIZE = 25
MAX_STORED_ERRORS = 1000  # the import item stays far below DynamoDB's 400 KB
UPLOAD_URL_SECONDS = 900
_ROW_NAMESPACE = uuid.UUID("6f0b9a53-3c2e-4c56-9d51-8e0b6f1f3a10")

SIMPLE_COLUMNS = ("firstName", "lastName", "companyName", "emails", "phones", "accountState", "accountPriority",
                  "discountRate", "notes")
REFERENCE_COLUMNS = {"customerType": ("type", "customerTypeId"), "customerSegment": ("segment", "customerSegmentId")}
ADDRESS_PARTS = {"Line1": "line1", "Line2": "line2", "City": "city", "Region": "region", "Postcode": "postcode",
                 "Country": "country"}
ADDRESS_COLUMNS = {f"{side}{suffix}": (f"{side}Address", part) for side in ("billing", "shipping")
                   for suffix, part in ADDRESS_PARTS.items()}
COLUMNS: tuple[str, ...] = (*SIMPLE_COLUMNS[:3], *REFERENCE_COLUMNS, *SIMPLE_COLUMNS[3:], *ADDRESS_COLUMNS)
STATUSES = ("pending", "running", "succeeded", "completed_with_errors", "failed")


# --- starting an import (POST /imports) --------------------------------------------------------------


def _refuse_when_integration_on(org: str) -> None:
    settings = orgs.catalog(org).settings
    if settings is not None and settings.customer_integration_enabled:
        raise Conflict("integration_enabled",
                       "Customers come from the integration while customerIntegrationEnabled is on; "
                       "imports are turned off.")


def _new_import(org: str, filename: str | None) -> Item:
    now = clock.now_iso()
    record: Item = {"id": clock.new_id(), "status": "pending", "filename": filename, "rowsTotal": 0,
                    "rowsImported": 0, "rowsFailed": 0, "errors": [], "createdAt": now, "updatedAt": now}
    store.create_import(org, record)
    return record


def start_inline(org: str, body: bytes) -> dict[str, Any]:
    _refuse_when_integration_on(org)
    if len(body) > MAX_INLINE_BYTES:
        raise PayloadTooLarge("An inline CSV may hold at most 4 MB; send {\"filename\": ...} for an upload URL.")
    if not body.strip():
        raise ValidationFailed.of("body", "The CSV file is empty.")
    record = _new_import(org, None)
    aws.client("s3").put_object(Bucket=config().imports_bucket, Key=store.object_key(org, record["id"]),
                                Body=body, ContentType="text/csv")
    return {"id": record["id"], "status": record["status"]}


def start_upload(org: str, filename: str) -> dict[str, Any]:
    _refuse_when_integration_on(org)
    record = _new_import(org, filename)
    url = aws.client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": config().imports_bucket, "Key": store.object_key(org, record["id"])},
        ExpiresIn=UPLOAD_URL_SECONDS,
    )
    return {"id": record["id"], "uploadUrl": url, "status": record["status"]}


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


# --- the job -------------------------------------------------------------------------------------------


def run_from_s3(bucket: str, object_key: str) -> None:
    """The S3 "Object Created" event's object: an upload of ``imports/<org>/<id>.csv``."""
    parsed = store.parse_object_key(object_key)
    if parsed is None:
        logger.warning("ignoring object %s: not an import upload", object_key)
        return
    org, import_id = parsed
    if store.get_import(org, import_id) is None:
        logger.warning("ignoring object %s: no such import", object_key)
        return
    body = aws.client("s3").get_object(Bucket=bucket, Key=object_key)["Body"]
    process(org, import_id, body.iter_chunks(chunk_size=64 * 1024))


def lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Text lines (with their line ends, as csv wants) from byte chunks; a BOM is dropped."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    pending = ""
    for chunk in chunks:
        pending += decoder.decode(chunk)
        start = 0
        while (end := pending.find("\n", start)) >= 0:
            yield pending[start:end + 1]
            start = end + 1
        pending = pending[start:]
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


@dataclass
class _Progress:
    total: int = 0
    imported: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False

    def fail(self, row: int, problems: list[FieldError]) -> None:
        self.failed += 1
        for problem in problems:
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append({"row": row, "field": problem.field, "message": problem.message})
            else:
                self.truncated = True

    def saved(self) -> dict[str, Any]:
        return {"rowsTotal": self.total, "rowsImported": self.imported, "rowsFailed": self.failed,
                "errors": self.errors, "errorsTruncated": self.truncated, "updatedAt": clock.now_iso()}


def process(org: str, import_id: str, chunks: Iterable[bytes]) -> str:
    """Import every row of the CSV; returns the final status."""
    progress = _Progress()
    store.update_import(org, import_id, {"status": "running", **progress.saved(), "message": None})
    try:
        status, message = _process_rows(org, import_id, csv.reader(lines(chunks)), progress)
    except UnicodeDecodeError:
        status, message = "failed", "The file is not UTF-8 text."
    except csv.Error as exc:
        status, message = "failed", f"The file is not valid CSV: {exc}."
    store.update_import(org, import_id, {"status": status, "message": message, **progress.saved()})
    return status


def _process_rows(org: str, import_id: str, rows: Iterator[list[str]], progress: _Progress) -> tuple[str, str | None]:
    header = next(rows, None)
    if header is None or not any(cell.strip() for cell in header):
        progress.fail(1, [FieldError("header", "The file is empty: the first row must name the columns.")])
        return "failed", "The file has no header row."
    columns = [cell.strip() for cell in header]
    unknown = [name for name in columns if name not in COLUMNS]
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if unknown or repeated:
        problems = [FieldError(name, "Unknown column.") for name in unknown]
        problems += [FieldError(name, "This column appears more than once.") for name in repeated]
        progress.fail(1, problems)
        progress.failed = 0  # the file failed; no row was read
        known = ", ".join(COLUMNS)
        return "failed", (f"Unknown columns: {', '.join(unknown)}. Known columns: {known}." if unknown
                          else f"Repeated columns: {', '.join(repeated)}.")

    catalog = orgs.refresh(org)
    batch: list[tuple[int, dict[str, Any]]] = []
    row_number = 1
    for cells in rows:
        row_number += 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a row (it keeps its number, as in a spreadsheet)
        progress.total += 1
        if len(cells) > len(columns):
            progress.fail(row_number, [FieldError("row", f"This row has {len(cells)} cells; the header has "
                                                         f"{len(columns)}.")])
            continue
        record, problems = _row_record(org, import_id, row_number, dict(zip(columns, cells, strict=False)), catalog)
        if problems:
            progress.fail(row_number, problems)
            continue
        batch.append((row_number, record))
        if len(batch) >= BATCH_SIZE:
            _write_batch(org, batch, catalog, progress)
            batch = []
            store.update_import(org, import_id, progress.saved())
    if batch:
        _write_batch(org, batch, catalog, progress)
    return ("completed_with_errors" if progress.failed else "succeeded"), None


def row_customer_id(org: str, import_id: str, row: int) -> str:
    return str(uuid.uuid5(_ROW_NAMESPACE, f"{org}/{import_id}/{row}"))


def _by_name(catalog: Catalog, kind: str, name: str) -> str | None:
    wanted = fold(name)
    return next((entry["id"] for entry in catalog.ordered(kind)  # type: ignore[arg-type]
                 if fold(str(entry.get("name", ""))) == wanted), None)


def _row_document(row: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for column, value in row.items():
        text = value.strip()
        if not text:
            continue
        if column in ADDRESS_COLUMNS:
            side, part = ADDRESS_COLUMNS[column]
            document.setdefault(side, {})[part] = text
        elif column in SIMPLE_COLUMNS:
            document[column] = text
    return document


def _row_record(org: str, import_id: str, row_number: int, row: dict[str, str],
                catalog: Catalog) -> tuple[Item, list[FieldError]]:
    problems: list[FieldError] = []
    document = _row_document(row)
    for column, (kind, field_name) in REFERENCE_COLUMNS.items():
        name = (row.get(column) or "").strip()
        if name:
            entry_id = _by_name(catalog, kind, name)
            if entry_id is None:
                problems.append(FieldError(column, f"No {kind.replace('type', 'customer type')} named {name!r}."))
            else:
                document[field_name] = entry_id
    try:
        fields = CustomerFields.model_validate(document)
    except ValidationError as exc:
        return {}, problems + [_field_error(error) for error in exc.errors()]
    provided = fields.provided()
    record, errors = build_record(provided, catalog, set(provided))
    reported = {problem.field for problem in problems}
    problems += [error for error in (_column_error(error) for error in errors) if error.field not in reported]
    record["id"] = row_customer_id(org, import_id, row_number)
    if not problems:
        hierarchy_errors, _ = customers.check_parent(org, catalog, record, None, None)
        problems += [FieldError("customerType", error.message) for error in hierarchy_errors]
    return record, problems


_ID_COLUMNS = {field_name: column for column, (_, field_name) in REFERENCE_COLUMNS.items()}


def _column_error(error: FieldError) -> FieldError:
    """A record error named by the CSV column (customerTypeId → customerType, billingAddress.city → billingCity)."""
    name = _ID_COLUMNS.get(error.field, error.field)
    side, _, part = name.partition(".")
    if side in ("billingAddress", "shippingAddress") and part:
        name = side.replace("Address", "") + part[:1].upper() + part[1:]
    return FieldError(name, error.message)


def _field_error(error: Any) -> FieldError:
    location = ".".join(str(part) for part in error.get("loc", ())) or "row"
    return _column_error(FieldError(location, str(error.get("msg") or "is not valid")))


def _write_batch(org: str, batch: list[tuple[int, Item]], catalog: Catalog, progress: _Progress) -> None:
    """Create the batch's customers that do not exist yet (one BatchGetItem, then one save each)."""
    existing = customer_store.get_customers(org, [record["id"] for _, record in batch])
    now = clock.now_iso()
    for row_number, record in batch:
        if record["id"] in existing:
            progress.imported += 1  # imported by an earlier run of this import
            continue
        record.update(version=1, createdAt=now, updatedAt=now,
                      isMember=customers.hierarchy_role(catalog, record["customerTypeId"]) == "member")
        try:
            guards = customers.reference_guards(org, catalog, record, None)
            links = customers.hierarchy_links(record, None, None, [], role_changed=False)
            customer_store.create_customer(org, record, guards, links)
        except ClienteleError as error:
            if customer_store.get_customer(org, record["id"]) is not None:  # a concurrent run wrote it
                progress.imported += 1
                continue
            problems = error.errors if isinstance(error, ValidationFailed) else [FieldError("row", error.detail)]
            progress.fail(row_number, [_column_error(problem) for problem in problems])
            continue
        progress.imported += 1
