"""SPEC §7.2 logs and metrics, as a handler writes them: one JSON line per request with the request id,
org, operation, status and duration (never a token or a body), and EMF error metrics by problem code."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from clientele import observability
from clientele.services import quickbooks_sync
from functions.jobs import qbo_sync
from local.invoke import Verbs
from tests.jobs.test_import import GOOD_AND_BAD, bucket, run

from .helpers import customer_body

__all__ = ["bucket"]  # the fixture

Written = Callable[[], list[dict[str, Any]]]  # the JSON documents written since the last call


@pytest.fixture
def written(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Written]:
    """The JSON documents a handler writes to stdout (Lambda sends stdout to CloudWatch Logs): the Logger's
    lines, at INFO, and the EMF metric documents."""
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    level = observability.logger.log_level
    observability.logger.setLevel("INFO")
    logged = io.StringIO()
    handler = observability.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    stdout = handler.setStream(logged)
    capsys.readouterr()

    def read() -> list[dict[str, Any]]:
        lines = logged.getvalue().splitlines() + capsys.readouterr().out.splitlines()
        logged.seek(0)
        logged.truncate()
        return [json.loads(line) for line in lines if line.startswith("{")]

    yield read
    if stdout is not None:
        handler.setStream(stdout)
    observability.logger.setLevel(level)


def _request_lines(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [document for document in documents if document.get("message") == "request"]


def _error_metrics(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [document for document in documents if "OperationErrors" in document]


def test_a_request_writes_one_line_with_request_id_org_operation_status_and_duration(api: Verbs, written: Written) -> None:
    api.post("/customers", customer_body())
    [line] = _request_lines(written())
    assert line["correlation_id"] and line["org"] == "acme"
    assert line["operation"] == "POST /customers" and line["status"] == 201
    assert isinstance(line["duration_ms"], float) and line["level"] == "INFO"


def test_the_request_line_holds_no_token_and_no_body(api: Verbs, written: Written) -> None:
    api.post("/customers", customer_body(companyName="Secretive Ltd"))
    text = json.dumps(_request_lines(written()))
    assert "Secretive" not in text and "Bearer" not in text and "eyJ" not in text


def test_the_next_request_does_not_inherit_the_previous_org(api: Verbs, written: Written) -> None:
    api.post("/customers", customer_body())
    api.get("/health")
    lines = _request_lines(written())
    assert [line.get("org") for line in lines] == ["acme", None]


def test_an_error_response_counts_operation_errors_by_problem_code(api: Verbs, written: Written) -> None:
    api.get("/customers/00000000-0000-4000-8000-000000000000")
    [metric] = _error_metrics(written())
    assert metric["OperationErrors"] == [1.0]
    assert metric["code"] == "not_found" and metric["operation"] == "GET /customers/{customerId}"
    assert metric["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service", "operation", "code"]]


def test_a_successful_request_counts_no_error(api: Verbs, written: Written) -> None:
    api.post("/customers", customer_body())
    assert _error_metrics(written()) == []


def test_metrics_stay_off_when_powertools_metrics_are_disabled(api: Verbs, written: Written,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    api.get("/customers/00000000-0000-4000-8000-000000000000")
    assert _error_metrics(written()) == []


def test_a_stream_batch_counts_records_processed_and_failed(written: Written) -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": "2"}]}

    observability.observe_stream(handler)({"Records": [{}, {}, {}]}, None)
    documents = written()
    figures = {name: document[name] for document in documents
               for name in ("StreamRecordsProcessed", "StreamRecordsFailed") if name in document}
    assert figures == {"StreamRecordsProcessed": [2.0], "StreamRecordsFailed": [1.0]}
    [line] = [document for document in documents if document.get("message") == "stream batch"]
    assert line["records"] == 3 and line["failed"] == 1


def test_a_job_line_carries_the_event_id_and_org(written: Written) -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"processed": True, "status": "completed"}

    event = {"id": "event-1", "detail-type": "QuickBooksSyncRequested", "detail": {"org": "acme"}}
    observability.observe_job(handler, "quickbooks_sync")(event, None)
    [line] = [document for document in written() if document.get("message") == "job"]
    assert (line["correlation_id"], line["org"], line["operation"], line["status"]) == \
        ("event-1", "acme", "quickbooks_sync", "completed")


def test_an_import_counts_the_rows_it_imported_and_refused(api: Verbs, bucket: str, written: Written) -> None:
    run(api, bucket, GOOD_AND_BAD)
    figures = {name: document[name] for document in written()
               for name in ("ImportRowsImported", "ImportRowsFailed") if name in document}
    assert figures == {"ImportRowsImported": [2.0], "ImportRowsFailed": [5.0]}


def test_a_quickbooks_sync_run_is_counted_by_outcome(written: Written, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quickbooks_sync, "sync", lambda org, **_: quickbooks_sync.Outcome(org, "completed_with_errors"))
    event = {"id": "event-2", "detail-type": quickbooks_sync.SYNC_REQUESTED, "detail": {"org": "acme"}}
    qbo_sync.lambda_handler(event, None)
    [metric] = [document for document in written() if "SyncRuns" in document]
    assert metric["outcome"] == "completed_with_errors" and metric["SyncRuns"] == [1.0]
