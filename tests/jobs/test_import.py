"""CSV import (SPEC §5.2): POST /imports, the S3-triggered job, GET /imports/{id}."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from clientele.config import config
from clientele.services.imports import job as imports
from clientele.services.imports import reading
from clientele.services.imports.progress import Progress
from clientele.store import imports as import_store
from functions.jobs.import_customers import lambda_handler as import_job
from local.invoke import Reply, Verbs
from tests.api.parts import assert_problem
from tests.bus import Watch, watch

HEADER = "companyName,firstName,customerType,emails,phones,accountState,billingCountry,notes\n"
GOOD_AND_BAD = (
    HEADER
    + "Acme Hotels,,Commercial,ops@acme.test,,active,US,\n"          # row 2: good
    + ",,Commercial,,,,,nameless\n"                                   # row 3: no firstName/companyName
    + "Globex,Hank,Residential,not-an-email,,,,\n"                    # row 4: bad email
    + "Initech,,Nope,,,,,\n"                                          # row 5: unknown type
    + "\"Umbrella, Inc.\",Alice,government,,,growth,gb,\"two\nlines\"\n"  # row 6: good (quoted newline)
    + "Stark,,Commercial,,,sleepy,,\n"                                # row 7: bad accountState
    + "Wayne,,Commercial,,,,ZZ,\n"                                    # row 8: bad country
)


@pytest.fixture
def bucket(table: str) -> str:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=config().imports_bucket)
    return config().imports_bucket


def s3_event(bucket_name: str, key: str) -> dict[str, Any]:
    return {"version": "0", "source": "aws.s3", "detail-type": "Object Created",
            "detail": {"bucket": {"name": bucket_name}, "object": {"key": key, "size": 1}}}


def start(api: Verbs, text: str, role: str = "editor") -> Reply:
    return api.call("POST", "/imports", raw_body=text, headers={"content-type": "text/csv"}, role=role)


def run(api: Verbs, bucket_name: str, text: str) -> dict[str, Any]:
    reply = start(api, text)
    assert reply.status == 202, reply.body
    import_job(s3_event(bucket_name, import_store.object_key("acme", reply.body["id"])), None)
    status = api.get(f"/imports/{reply.body['id']}")
    assert status.status == 200
    return status.body


def test_inline_csv_is_202_with_id_status_and_location(api: Verbs, bucket: str) -> None:
    reply = start(api, HEADER + "Acme,,Commercial,,,,,\n")
    assert reply.status == 202
    assert reply.body["status"] == "pending"
    assert reply.headers["Location"] == f"/imports/{reply.body['id']}"


def test_good_and_bad_rows_complete_with_errors_and_exact_counts(api: Verbs, bucket: str) -> None:
    result = run(api, bucket, GOOD_AND_BAD)
    assert result["status"] == "completed_with_errors"
    assert (result["rowsTotal"], result["rowsImported"], result["rowsFailed"]) == (7, 2, 5)


def test_row_errors_carry_spreadsheet_row_numbers_and_columns(api: Verbs, bucket: str) -> None:
    result = run(api, bucket, GOOD_AND_BAD)
    assert [(error["row"], error["field"]) for error in result["errors"]] == [
        (3, "firstName"), (4, "emails[0]"), (5, "customerType"), (7, "accountState"), (8, "billingCountry"),
    ]


def test_good_rows_become_customers_with_every_rule_applied(api: Verbs, bucket: str) -> None:
    run(api, bucket, GOOD_AND_BAD)
    items = {item["displayName"]: item for item in api.get("/customers").body["items"]}
    assert set(items) == {"Acme Hotels", "Alice (Umbrella, Inc.)"}
    assert items["Acme Hotels"]["emails"] == ["ops@acme.test"]
    assert items["Alice (Umbrella, Inc.)"]["customerType"]["name"] == "Government"
    assert items["Alice (Umbrella, Inc.)"]["billingAddress"] == {
        "line1": None, "line2": None, "city": None, "region": None, "postcode": None, "country": "GB"}
    assert items["Alice (Umbrella, Inc.)"]["notes"] == "two\nlines"


def test_type_names_match_whatever_their_case_and_spacing(api: Verbs, bucket: str) -> None:
    result = run(api, bucket, HEADER + "Acme,,COMMERCIAL,,,,,\nGlobex,, resiDENTIAL ,,,,,\n")
    assert (result["rowsImported"], result["rowsFailed"]) == (2, 0), result["errors"]
    types = {item["displayName"]: item["customerType"]["name"] for item in api.get("/customers").body["items"]}
    assert types == {"Acme": "Commercial", "Globex": "Residential"}


def test_all_good_rows_succeed(api: Verbs, bucket: str) -> None:
    result = run(api, bucket, HEADER + "Acme,,Commercial,,,,,\nGlobex,,Residential,,,,,\n")
    assert result["status"] == "succeeded"
    assert (result["rowsTotal"], result["rowsImported"], result["rowsFailed"]) == (2, 2, 0)


def test_rerunning_the_same_import_creates_nothing(api: Verbs, bucket: str) -> None:
    reply = start(api, GOOD_AND_BAD)
    event = s3_event(bucket, import_store.object_key("acme", reply.body["id"]))
    import_job(event, None)
    first = [item["id"] for item in api.get("/customers").body["items"]]
    import_job(event, None)  # a redelivered event / retried job
    second = [item["id"] for item in api.get("/customers").body["items"]]
    assert second == first and len(first) == 2
    status = api.get(f"/imports/{reply.body['id']}").body
    assert (status["status"], status["rowsImported"], status["rowsFailed"]) == ("completed_with_errors", 2, 5)


def test_unknown_columns_fail_the_whole_file(api: Verbs, bucket: str) -> None:
    result = run(api, bucket, "companyName,customerType,favouriteColour\nAcme,Commercial,blue\n")
    assert result["status"] == "failed"
    assert "favouriteColour" in result["message"]
    assert result["errors"] == [{"row": 1, "field": "favouriteColour", "message": "Unknown column."}]
    assert result["rowsImported"] == 0
    assert api.get("/customers").body["items"] == []


def test_file_that_is_not_utf8_fails(api: Verbs, bucket: str) -> None:
    reply = start(api, "x")
    key = import_store.object_key("acme", reply.body["id"])
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=bucket, Key=key,
                                                           Body=HEADER.encode() + b"\xff\xfe,,\n")
    import_job(s3_event(bucket, key), None)
    assert api.get(f"/imports/{reply.body['id']}").body["status"] == "failed"


def test_json_filename_gets_201_with_a_presigned_upload_url(api: Verbs, bucket: str) -> None:
    reply = api.post("/imports", {"filename": "customers.csv"})
    assert reply.status == 201, reply.body
    assert reply.body["status"] == "pending"
    assert import_store.object_key("acme", reply.body["id"]) in reply.body["uploadUrl"]
    assert "Signature" in reply.body["uploadUrl"] or "X-Amz-Signature" in reply.body["uploadUrl"]


def test_json_without_filename_is_422(api: Verbs, bucket: str) -> None:
    reply = api.post("/imports", {})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "filename"


def test_viewer_may_not_import(api: Verbs, bucket: str) -> None:
    assert_problem(start(api, HEADER, role="viewer"), 403, "forbidden")


def test_other_media_types_are_415(api: Verbs, bucket: str) -> None:
    reply = api.call("POST", "/imports", raw_body="<x/>", headers={"content-type": "application/xml"})
    assert_problem(reply, 415, "unsupported_media_type")


def test_import_is_409_while_the_integration_is_on(api: Verbs, bucket: str) -> None:
    current = api.get("/settings")
    api.put("/settings", {**current.body, "customerIntegrationEnabled": True}, headers={"if-match": current.etag})
    reply = start(api, HEADER, role="admin")
    assert reply.status == 409
    assert reply.body["code"] == "integration_enabled"


def test_import_of_another_org_is_404(api: Verbs, bucket: str) -> None:
    reply = start(api, HEADER + "Acme,,Commercial,,,,,\n")
    assert_problem(api.get(f"/imports/{reply.body['id']}", org="globex"), 404, "not_found")


def test_progress_counters_are_saved_while_running(api: Verbs, bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict] = []
    real_update = import_store.update_import

    def spy(org: str, import_id: str, changes: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        seen.append(dict(changes))
        real_update(org, import_id, changes, *args, **kwargs)

    monkeypatch.setattr(import_store, "update_import", spy)
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    monkeypatch.setattr(imports, "PROGRESS_SECONDS", 0)  # a save as soon as a batch is written
    run(api, bucket, HEADER + "".join(f"Company {n},,Commercial,,,,,\n" for n in range(5)))
    running = [changes["rowsImported"] for changes in seen if "rowsImported" in changes and "status" not in changes]
    assert running == [2, 4]


def _generated_csv(rows: int) -> Iterator[bytes]:
    """The file as a stream of chunks, generated on the fly (the test holds no copy of it)."""
    yield HEADER.encode()
    for n in range(rows):
        yield f"Company {n},First,Commercial,c{n}@example.com,,active,US,\n".encode()


def _peak_bytes(api: Verbs, rows: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Peak memory of parsing and validating ``rows`` rows; the table writes are counted, not done,
    so that the measure is the job's own (moto keeps every stream record in memory, which grows
    with the number of writes, not with anything the job holds)."""
    written = {"rows": 0}

    def count_only(org: str, batch: list[Any], progress: Progress) -> None:
        written["rows"] += len(batch)
        progress.imported += len(batch)

    monkeypatch.setattr(imports, "_write_batch", count_only)
    reply = start(api, HEADER)
    monkeypatch.setattr(import_store, "update_import", lambda *args, **kwargs: None)
    tracemalloc.start()
    try:
        status = imports.process("acme", reply.body["id"], _generated_csv(rows))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    monkeypatch.undo()
    assert status == "succeeded" and written["rows"] == rows
    return peak


@pytest.mark.slow
def test_memory_stays_flat_with_file_size(api: Verbs, bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    small = _peak_bytes(api, 2_000, monkeypatch)
    large = _peak_bytes(api, 20_000, monkeypatch)
    assert large < small * 1.5 + 256 * 1024, (small, large)


def test_the_job_ignores_objects_that_are_not_imports(api: Verbs, bucket: str) -> None:
    assert import_job(s3_event(bucket, "other/thing.txt"), None) == {"processed": True, "status": None}
    assert json.dumps(import_job({"detail": {}}, None)) == '{"processed": false}'


# --- long files: checkpoints, continuations, resumed runs ------------------------------------------------


class Invocation:
    """A Lambda context whose remaining time drops below the hand-over margin after ``rows`` rows
    (the job looks after every row, so it hands over after row ``rows + 1``)."""

    def __init__(self, rows: int | None = None) -> None:
        self.checks = 0
        self.rows = rows

    def get_remaining_time_in_millis(self) -> int:
        self.checks += 1
        out_of_time = self.rows is not None and self.checks > self.rows
        return 1_000 if out_of_time else 600_000


@pytest.fixture
def continuations(bucket: str) -> Watch:
    """The import continuations put on the project's bus."""
    return watch(imports.CONTINUE_SOURCE)


def many_rows(count: int, bad_every: int = 4) -> str:
    return HEADER + "".join((",,Commercial,,,,,\n" if n % bad_every == 0 else f"Company {n},,Commercial,,,,,\n")
                            for n in range(count))


def test_lines_end_at_crlf_lf_and_a_lone_cr() -> None:
    chunks = [b"a,b\r", b"\nc,d\re,f\n", b"g,h\r", b"i,j"]
    assert list(reading.lines(chunks)) == ["a,b\r\n", "c,d\r", "e,f\n", "g,h\r", "i,j"]


def test_lines_count_the_bytes_they_came_from_bom_included() -> None:
    reader = reading.Lines([b"\xef\xbb\xbfname\n", "Zoë\n".encode()])
    assert list(reader) == ["name\n", "Zoë\n"]
    assert reader.consumed == 3 + 5 + 5


def test_a_file_with_old_mac_line_ends_imports_every_row(api: Verbs, bucket: str) -> None:
    result = run(api, bucket, HEADER.replace("\n", "\r") + "Acme,,Commercial,,,,,\rGlobex,,Residential,,,,,\r")
    assert (result["status"], result["rowsImported"]) == ("succeeded", 2)


def test_an_import_out_of_time_checkpoints_and_hands_over_to_a_new_invocation(api: Verbs, bucket: str, continuations: Watch,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 3)
    reply = start(api, many_rows(20))
    outcome = import_job(s3_event(bucket, import_store.object_key("acme", reply.body["id"])), Invocation(rows=7))
    assert outcome == {"processed": True, "status": "running"}
    status = api.get(f"/imports/{reply.body['id']}").body
    assert (status["status"], status["rowsTotal"], status["rowsImported"], status["rowsFailed"]) == ("running", 8, 6, 2)
    [event] = continuations()
    assert event["detail-type"] == imports.CONTINUE_REQUESTED
    assert event["detail"] == {"org": "acme", "importId": reply.body["id"]}


def test_a_continued_import_ends_exactly_as_a_single_run_would(api: Verbs, bucket: str, continuations: Watch,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 3)
    reply = start(api, many_rows(20))
    import_job(s3_event(bucket, import_store.object_key("acme", reply.body["id"])), Invocation(rows=7))
    handed_over = 0
    while pending := continuations():  # each continuation runs out of time again after 5 rows
        [event] = pending
        import_job(event, Invocation(rows=4))
        handed_over += 1
    assert handed_over == 3  # rows 9-13, 14-18, 19-21
    status = api.get(f"/imports/{reply.body['id']}").body
    assert (status["status"], status["rowsTotal"], status["rowsImported"], status["rowsFailed"]) == (
        "completed_with_errors", 20, 15, 5)
    assert [error["row"] for error in status["errors"]] == [2, 6, 10, 14, 18]  # each once, in file order
    names = sorted(item["displayName"] for item in api.get("/customers", query="limit=100").body["items"])
    assert names == sorted(f"Company {n}" for n in range(20) if n % 4)


def test_a_run_that_died_resumes_from_its_last_checkpoint(api: Verbs, bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    monkeypatch.setattr(imports, "PROGRESS_SECONDS", 0)
    real_write = imports._write_batch
    writes = {"n": 0}

    def dies_on_the_fourth_batch(*args: Any, **kwargs: Any) -> None:
        writes["n"] += 1
        if writes["n"] == 4:
            raise RuntimeError("the invocation died")
        real_write(*args, **kwargs)

    monkeypatch.setattr(imports, "_write_batch", dies_on_the_fourth_batch)
    reply = start(api, many_rows(16))
    event = s3_event(bucket, import_store.object_key("acme", reply.body["id"]))
    with pytest.raises(RuntimeError):
        import_job(event, Invocation())
    assert api.get(f"/imports/{reply.body['id']}").body["status"] == "running"
    import_job(event, Invocation())  # EventBridge retries the failed invocation
    status = api.get(f"/imports/{reply.body['id']}").body
    assert (status["status"], status["rowsTotal"], status["rowsImported"], status["rowsFailed"]) == (
        "completed_with_errors", 16, 12, 4)
    assert [error["row"] for error in status["errors"]] == [2, 6, 10, 14]
    assert len(api.get("/customers", query="limit=100").body["items"]) == 12


def test_progress_saves_send_only_the_errors_found_since_the_last_save(api: Verbs, bucket: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[list[dict]] = []
    real_update = import_store.update_import

    def spy(org: str, import_id: str, changes: dict[str, Any], new_errors: list[dict[str, Any]] | None = None,
            **kwargs: Any) -> None:
        sent.append(list(new_errors or []))
        real_update(org, import_id, changes, new_errors, **kwargs)

    monkeypatch.setattr(import_store, "update_import", spy)
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    monkeypatch.setattr(imports, "PROGRESS_SECONDS", 0)
    result = run(api, bucket, many_rows(12))
    rows_sent = [error["row"] for errors in sent for error in errors]
    assert rows_sent == [2, 6, 10] == [error["row"] for error in result["errors"]]
    assert len([errors for errors in sent if errors]) == 3  # each in the save after it was found


def test_a_second_run_of_the_same_import_stops_at_its_first_save(api: Verbs, bucket: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    monkeypatch.setattr(imports, "PROGRESS_SECONDS", 0)
    reply = start(api, many_rows(8))
    real_write = imports._write_batch

    def another_run_saves_first(org: str, *args: Any, **kwargs: Any) -> None:
        real_write(org, *args, **kwargs)
        import_store.update_import(org, reply.body["id"], {"checkpoint": 99})

    monkeypatch.setattr(imports, "_write_batch", another_run_saves_first)
    outcome = import_job(s3_event(bucket, import_store.object_key("acme", reply.body["id"])), Invocation())
    assert outcome["status"] == "running"  # it left the import to the run that saved first
    saved = import_store.get_import("acme", reply.body["id"])
    assert saved is not None and saved["checkpoint"] == 99
