"""The CSV import job (SPEC §5.2), started by S3's "Object Created" event for the uploaded file.

The job streams the object (:mod:`reading`), so memory stays flat whatever the file size. Each row is
planned as POST /customers plans a customer (:mod:`rows`); a bad row is reported with its spreadsheet
row number (the header is row 1) and skipped. Good rows are written in batches of ``BATCH_SIZE``.

Progress is saved every ``PROGRESS_SECONDS`` (:mod:`progress`), and every save is a checkpoint that
says where the next row starts in the file. When the invocation nears Lambda's limit the job
checkpoints and puts ``ImportContinueRequested`` on the bus; the next invocation reads the object
from the checkpoint's offset. A retried run resumes from the last checkpoint too, and a finished
import ignores further events. A row's customer id is stable (:func:`rows.row_customer_id`): rows
written after the last checkpoint by a run that died are found on resume and not written twice.
"""

from __future__ import annotations

import contextlib
import csv
import logging
from collections.abc import Callable, Iterable

from clientele import clock, observability
from clientele.config import config
from clientele.errors import ClienteleError, FieldError, ValidationFailed
from clientele.services import orgs
from clientele.services.customers.plan import Plan
from clientele.services.customers.write import commit
from clientele.services.imports.progress import Progress
from clientele.services.imports.reading import Lines
from clientele.services.imports.rows import column_error, header_problems, plan_row
from clientele.services.imports.status import FINISHED
from clientele.store import customers as customer_store
from clientele.store import imports as store
from clientele.store import uploads
from clientele.store.catalog import Catalog
from clientele.store.table import Item, as_int

logger = logging.getLogger("clientele")

BATCH_SIZE = 25
PROGRESS_SECONDS = 2.0  # progress is saved (a checkpoint) at most this often while running, and at the end
HANDOVER_SECONDS = 60.0  # with less left of the invocation, checkpoint and continue in a new one
CONTINUE_SOURCE = "clientele.imports"
CONTINUE_REQUESTED = "ImportContinueRequested"  # {org, importId}: the job's own next invocation
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
    offset = as_int(checkpoint.get("offset")) if checkpoint else 0
    return process(org, import_id, uploads.read_chunks(bucket, org, import_id, offset),
                   record=record if checkpoint else None, time_left=time_left)


def process(org: str, import_id: str, chunks: Iterable[bytes], *, record: Item | None = None,
            time_left: TimeLeft | None = None) -> str:
    """Import the CSV's rows; ``record`` (with its ``resume`` checkpoint) continues an earlier run whose
    ``chunks`` start at the checkpoint's offset. Returns the status: ``running`` when handed over."""
    checkpoint: Item | None = record.get("resume") if record else None
    if record is not None and checkpoint:
        progress = Progress.resumed(record)
    else:
        progress = Progress()
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


def _process_rows(org: str, import_id: str, reader: Lines, progress: Progress, checkpoint: Item | None,
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
        problems, message = header_problems(columns)
        if problems:
            progress.fail(1, problems)
            progress.failed = 0  # the file failed; no row was read
            return "failed", message
        row_number = 1

    catalog = orgs.refresh(org)
    batch: list[tuple[int, Plan]] = []

    def save_checkpoint() -> None:
        nonlocal batch
        if batch:
            _write_batch(org, batch, progress)
            batch = []
        progress.save(org, import_id, resume={"offset": reader.consumed, "row": row_number, "columns": columns})

    for cells in rows:
        row_number += 1
        if any(cell.strip() for cell in cells):  # a blank line is not a row (it keeps its number, as in a spreadsheet)
            _read_row(org, import_id, row_number, cells, columns, catalog, progress, batch)
        if len(batch) >= BATCH_SIZE:
            _write_batch(org, batch, progress)
            batch = []
        if time_left is not None and time_left() < HANDOVER_SECONDS:
            save_checkpoint()
            _request_continuation(org, import_id)
            logger.info("import %s: checkpoint at row %d, continuing in a new invocation", import_id, row_number)
            return "running", None
        if not batch and progress.due(PROGRESS_SECONDS):
            save_checkpoint()
    if batch:
        _write_batch(org, batch, progress)
    return ("completed_with_errors" if progress.failed else "succeeded"), None


def _read_row(org: str, import_id: str, row_number: int, cells: list[str], columns: list[str], catalog: Catalog,
              progress: Progress, batch: list[tuple[int, Plan]]) -> None:
    """Validate one row: into the batch when good, into the errors when not."""
    progress.total += 1
    if len(cells) > len(columns):
        progress.fail(row_number, [FieldError("row", f"This row has {len(cells)} cells; the header has "
                                                     f"{len(columns)}.")])
        return
    plan, problems = plan_row(org, import_id, row_number, dict(zip(columns, cells, strict=False)), catalog)
    if plan is None:
        progress.fail(row_number, problems)
    else:
        batch.append((row_number, plan))


def _request_continuation(org: str, import_id: str) -> None:
    from clientele.events import publisher

    # When it fails, so does the job, and EventBridge retries it: the retry resumes from the checkpoint.
    publisher.publish_all([(CONTINUE_REQUESTED, {"org": org, "importId": import_id})], CONTINUE_SOURCE,
                          "Could not hand the import over to its next invocation.")


def _write_batch(org: str, batch: list[tuple[int, Plan]], progress: Progress) -> None:
    """Create the batch's customers, one conditional save each. A row an earlier run of this import
    wrote (a resumed or retried run) fails its condition, changes nothing and is counted as imported."""
    for row_number, plan in batch:
        try:
            commit(org, plan)
        except ClienteleError as error:
            if customer_store.get_customer(org, plan.record["id"]) is not None:  # an earlier run wrote it
                progress.imported += 1
                continue
            problems = error.errors if isinstance(error, ValidationFailed) else [FieldError("row", error.detail)]
            progress.fail(row_number, [column_error(problem) for problem in problems])
            continue
        progress.imported += 1
