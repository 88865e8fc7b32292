"""CSV import of customers (SPEC §5.2).

``start_inline`` / ``start_upload`` create the import (``pending``) and put the file in S3, or hand out
a pre-signed PUT for it; S3's "Object Created" event (through EventBridge) starts :func:`run_from_s3`.

The job streams the object: bytes → incremental UTF-8 decoding → lines → ``csv.reader``, so memory
stays flat whatever the file size. Each row obeys every rule of §4.3 (the same request model,
``build_record`` and hierarchy checks as POST /customers); a bad row is reported with its spreadsheet
row number (the header is row 1) and skipped. Good rows are written in batches of ``BATCH_SIZE``.

Progress is saved every ``PROGRESS_SECONDS``, and every save is a checkpoint: the counters, the row
errors found since the last save (appended, never the whole list again) and where the next row
starts in the file. When the invocation nears Lambda's limit the job checkpoints and puts
``ImportContinueRequested`` on the bus; the next invocation reads the object from the checkpoint's
offset. A retried run resumes from the last checkpoint too, and a finished import ignores further
events. A row's customer id is ``uuid5(org, import id, row)``: rows written after the last checkpoint
by a run that died are found on resume and not written twice.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from clientele import aws, clock, observability
from clientele.config import config
from clientele.domain.customers import CustomerFields
from clientele.domain.references import IMPORT_COLUMNS
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
REFERENCE_COLUMNS = IMPORT_COLUMNS
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

FINISHED = frozenset({"succeeded", "completed_with_errors", "failed"})
PROGRESS_SECONDS = 2.0  # progress is saved (a checkpoint) at most this often while running, and at the end
HANDOVER_SECONDS = 60.0  # with less left of the invocation, checkpoint and continue in a new one
CONTINUE_SOURCE = "clientele.imports"
CONTINUE_REQUESTED = "ImportContinueRequested"  # {org, importId}: the job's own next invocation
CHUNK_BYTES = 64 * 1024
TimeLeft = Callable[[], float]


def run_from_s3(bucket: str, object_key: str, time_left: TimeLeft | None = None) -> str | None:
    """The S3 "Object Created" event's object: an upload of ``imports/<org>/<id>.csv``."""
    parsed = store.parse_object_key(object_key)
    if parsed is None:
        logger.warning("ignoring object %s: not an import upload", object_key)
        return None
    return _run(*parsed, bucket, time_left)


def continue_import(org: str, import_id: str, time_left: TimeLeft | None = None) -> str | None:
    """``ImportContinueRequested``: the next invocation of a file too long for one (Lambda stops at 15 min)."""
    return _run(org, import_id, config().imports_bucket, time_left)


def _run(org: str, import_id: str, bucket: str, time_left: TimeLeft | None) -> str | None:
    """Start the import, or resume it from its last checkpoint (a continuation, or a retried run)."""
    record = store.get_import(org, import_id)
    if record is None:
        logger.warning("ignoring import %s of org %s: no such import", import_id, org)
        return None
    if record.get("status") in FINISHED:
        logger.info("import %s is %s already; a redelivered event changes nothing", import_id, record["status"])
        return str(record["status"])
    checkpoint = record.get("resume") if record.get("status") == "running" else None
    return process(org, import_id, _object_chunks(bucket, store.object_key(org, import_id), checkpoint),
                   record=record if checkpoint else None, time_left=time_left)


def _object_chunks(bucket: str, object_key: str, checkpoint: Item | None) -> Iterator[bytes]:
    """The object's bytes from the start, or from a checkpoint's offset (a ranged GET)."""
    client = aws.client("s3")
    request: dict[str, Any] = {"Bucket": bucket, "Key": object_key}
    if checkpoint:
        request["Range"] = f"bytes={as_int(checkpoint.get('offset'))}-"
    try:
        body = client.get_object(**request)["Body"]
    except client.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "InvalidRange":  # the checkpoint was at the very end
            return iter(())
        raise
    return body.iter_chunks(chunk_size=CHUNK_BYTES)


_LINE_END = re.compile(r"\r\n|\r|\n")


class Lines:
    """Text lines (with their line ends, as csv wants) from byte chunks, and how many bytes of the
    file they came from, so a checkpoint can say where to continue. Lines end at ``\r\n``, ``\n`` or
    ``\r`` (old Mac files), so no file is held in memory as one line. A BOM at the start is dropped."""

    def __init__(self, chunks: Iterable[bytes], offset: int = 0) -> None:
        self._chunks = chunks
        self.consumed = offset
        self._at_start = offset == 0

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        pending = ""
        for chunk in self._chunks:
            if self._at_start:
                self._at_start = False
                if chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8):]
                    self.consumed += len(codecs.BOM_UTF8)
            pending += decoder.decode(chunk)
            start = 0
            while (end := _LINE_END.search(pending, start)) is not None:
                if end.group() == "\r" and end.end() == len(pending):
                    break  # a "\r" at the end of a chunk may be the first half of "\r\n"
                yield self._line(pending[start:end.end()])
                start = end.end()
            pending = pending[start:]
        pending += decoder.decode(b"", final=True)
        if pending:
            yield self._line(pending)

    def _line(self, line: str) -> str:
        self.consumed += len(line.encode("utf-8"))
        return line


def lines(chunks: Iterable[bytes]) -> Iterator[str]:
    return iter(Lines(chunks))


@dataclass
class _Progress:
    total: int = 0
    imported: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # not saved yet
    saved_errors: int = 0
    truncated: bool = False
    checkpoint: int = 0  # saves so far: each is conditional on the one before
    saved_at: float = field(default_factory=time.monotonic)

    @classmethod
    def resumed(cls, record: Item) -> _Progress:
        return cls(total=as_int(record.get("rowsTotal")), imported=as_int(record.get("rowsImported")),
                   failed=as_int(record.get("rowsFailed")), saved_errors=len(record.get("errors") or []),
                   truncated=bool(record.get("errorsTruncated")), checkpoint=as_int(record.get("checkpoint")))

    def fail(self, row: int, problems: list[FieldError]) -> None:
        self.failed += 1
        for problem in problems:
            if self.saved_errors + len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append({"row": row, "field": problem.field, "message": problem.message})
            else:
                self.truncated = True

    def due(self) -> bool:
        return time.monotonic() - self.saved_at >= PROGRESS_SECONDS

    def save(self, org: str, import_id: str, **changes: Any) -> None:
        """Counters, the errors found since the last save and ``changes``, in one conditional update."""
        counters = {"rowsTotal": self.total, "rowsImported": self.imported, "rowsFailed": self.failed,
                    "errorsTruncated": self.truncated, "updatedAt": clock.now_iso(), "checkpoint": self.checkpoint + 1}
        store.update_import(org, import_id, {**counters, **changes}, self.errors, after_checkpoint=self.checkpoint)
        self.checkpoint += 1
        self.saved_errors += len(self.errors)
        self.errors = []
        self.saved_at = time.monotonic()


def process(org: str, import_id: str, chunks: Iterable[bytes], *, record: Item | None = None,
            time_left: TimeLeft | None = None) -> str:
    """Import the CSV's rows; ``record`` (with its ``resume`` checkpoint) continues an earlier run whose
    ``chunks`` start at the checkpoint's offset. Returns the status: ``running`` when handed over."""
    checkpoint: Item | None = record.get("resume") if record else None
    if record is not None and checkpoint:
        progress = _Progress.resumed(record)
    else:
        progress = _Progress()
        store.update_import(org, import_id, {"status": "running", "rowsTotal": 0, "rowsImported": 0, "rowsFailed": 0,
                                             "errors": [], "errorsTruncated": False, "message": None, "resume": None,
                                             "checkpoint": 0, "updatedAt": clock.now_iso()})
    reader = Lines(chunks, offset=as_int(checkpoint.get("offset")) if checkpoint else 0)
    imported_before, failed_before = progress.imported, progress.failed
    try:
        status, message = _process_rows(org, import_id, reader, progress, checkpoint, time_left)
    except UnicodeDecodeError:
        status, message = "failed", "The file is not UTF-8 text."
    except csv.Error as exc:
        status, message = "failed", f"The file is not valid CSV: {exc}."
    except store.CheckpointTaken:
        logger.warning("import %s: another run of it carries on; this one stops", import_id)
        return "running"
    finally:
        # This invocation's rows only: a resumed import's earlier rows were counted by the run before.
        observability.count("ImportRowsImported", progress.imported - imported_before)
        observability.count("ImportRowsFailed", progress.failed - failed_before)
    if status != "running":
        with contextlib.suppress(store.CheckpointTaken):
            progress.save(org, import_id, status=status, message=message, resume=None)
    return status


def _process_rows(org: str, import_id: str, reader: Lines, progress: _Progress, checkpoint: Item | None,
                  time_left: TimeLeft | None) -> tuple[str, str | None]:
    rows = csv.reader(reader)  # reads one line at a time: after a row, ``reader.consumed`` is where the next starts
    if checkpoint:
        columns = [str(name) for name in checkpoint.get("columns") or []]
        row_number = as_int(checkpoint.get("row"))
    else:
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
        row_number = 1

    catalog = orgs.refresh(org)
    batch: list[tuple[int, dict[str, Any]]] = []

    def save_checkpoint() -> None:
        nonlocal batch
        if batch:
            _write_batch(org, batch, catalog, progress)
            batch = []
        progress.save(org, import_id, resume={"offset": reader.consumed, "row": row_number, "columns": columns})

    for cells in rows:
        row_number += 1
        if any(cell.strip() for cell in cells):  # a blank line is not a row (it keeps its number, as in a spreadsheet)
            _read_row(org, import_id, row_number, cells, columns, catalog, progress, batch)
        if len(batch) >= BATCH_SIZE:
            _write_batch(org, batch, catalog, progress)
            batch = []
        if time_left is not None and time_left() < HANDOVER_SECONDS:
            save_checkpoint()
            _request_continuation(org, import_id)
            logger.info("import %s: checkpoint at row %d, continuing in a new invocation", import_id, row_number)
            return "running", None
        if not batch and progress.due():
            save_checkpoint()
    if batch:
        _write_batch(org, batch, catalog, progress)
    return ("completed_with_errors" if progress.failed else "succeeded"), None


def _read_row(org: str, import_id: str, row_number: int, cells: list[str], columns: list[str], catalog: Catalog,
              progress: _Progress, batch: list[tuple[int, dict[str, Any]]]) -> None:
    """Validate one row: into the batch when good, into the errors when not."""
    progress.total += 1
    if len(cells) > len(columns):
        progress.fail(row_number, [FieldError("row", f"This row has {len(cells)} cells; the header has "
                                                     f"{len(columns)}.")])
        return
    record, problems = _row_record(org, import_id, row_number, dict(zip(columns, cells, strict=False)), catalog)
    if problems:
        progress.fail(row_number, problems)
    else:
        batch.append((row_number, record))


def _request_continuation(org: str, import_id: str) -> None:
    from clientele.events import publisher

    # When it fails, so does the job, and EventBridge retries it: the retry resumes from the checkpoint.
    publisher.publish_all([(CONTINUE_REQUESTED, {"org": org, "importId": import_id})], CONTINUE_SOURCE,
                          "Could not hand the import over to its next invocation.")


def row_customer_id(org: str, import_id: str, row: int) -> str:
    return str(uuid.uuid5(_ROW_NAMESPACE, f"{org}/{import_id}/{row}"))


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
            entry_id = catalog.id_named(kind, name)
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
    """Create the batch's customers, one conditional save each. A row an earlier run of this import
    wrote (a resumed or retried run) fails its condition, changes nothing and is counted as imported."""
    now = clock.now_iso()
    for row_number, record in batch:
        record.update(version=1, createdAt=now, updatedAt=now,
                      isMember=customers.hierarchy_role(catalog, record["customerTypeId"]) == "member")
        try:
            guards = customers.reference_guards(org, catalog, record, None)
            links = customers.hierarchy_links(record, None, None, [], role_changed=False)
            customer_store.create_customer(org, record, guards, links)
        except ClienteleError as error:
            if customer_store.get_customer(org, record["id"]) is not None:  # an earlier run wrote it
                progress.imported += 1
                continue
            problems = error.errors if isinstance(error, ValidationFailed) else [FieldError("row", error.detail)]
            progress.fail(row_number, [_column_error(problem) for problem in problems])
            continue
        progress.imported += 1
