"""The CSV import job (SPEC §5.2) for `make bench`: throughput, DynamoDB calls, peak memory.

* Throughput and calls: one import of ``BENCH_IMPORT_ROWS`` (20,000) generated rows, driven as in
  production: POST /imports {"filename"} creates the import, the file is put at its S3 key (moto S3),
  and the handler template.yaml names for ``ImportCustomersJobFunction`` gets S3's "Object Created"
  EventBridge event; every read and write goes to moto's DynamoDB (the template's table).
* Peak memory: the same job once per file size (20,000 and 100,000 rows), each in a fresh
  interpreter, with the storage kept out of the measured process (see ``MEMORY_METHOD``). The two
  children run while the throughput run runs: each reports its own resident set, and the throughput
  figure is CPU time, so neither disturbs the other's figure.

`python -m bench.imports` prints the figures; `python -m bench.imports --memory N --key KEY` is one
memory child (S3 at ``AWS_ENDPOINT_URL_S3``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import io
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bench import environment
from local.polling import NotYet, eventually

if TYPE_CHECKING:
    from local.invoke import Verbs

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "20000"))
MEMORY_ROWS = tuple(int(n) for n in os.environ.get("BENCH_IMPORT_MEMORY_ROWS", "20000,100000").split(","))
BAD_EVERY = 50  # one row in 50 breaks a §4.3 rule (errors beyond MAX_STORED_ERRORS are counted, not kept)
MEMORY_BAD_EVERY = BAD_EVERY
ORG = "bench-import"
JOB_FUNCTION = "ImportCustomersJobFunction"
STAGING_KEY = "staging/{rows}.csv"
WRITES = ("TransactWriteItems", "UpdateItem", "PutItem", "DeleteItem", "BatchWriteItem")

COLUMNS = ("firstName", "lastName", "companyName", "customerType", "customerSegment", "emails", "phones",
           "accountState", "accountPriority", "discountRate", "notes", "billingLine1", "billingLine2", "billingCity",
           "billingRegion", "billingPostcode", "billingCountry", "shippingLine1", "shippingCity", "shippingPostcode",
           "shippingCountry")
FIRST = ("Alice", "Bob", "Carmen", "Dmitri", "Eve", "Farah", "Gus", "Hana", "Ivan", "José", "Kofi", "Lena",
         "Mateo", "Nadia", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tomás", "Uma", "Wei", "Yusuf", "Zoë")
LAST = ("Smith", "O'Brien", "García", "Nguyen", "Müller", "Kowalski", "Okafor", "Rossi", "Tanaka", "Levy",
        "Andersen", "Dubois", "Haddad", "Ivanova", "Patel", "Silva")
COMPANY = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell",
           "Wonka", "Cyberdyne", "Oscorp", "Monarch", "Gringotts", "Pied Piper")
SUFFIX = ("Hotels", "Holdings", "Inc.", "Ltd", "& Sons", "GmbH", "Logistics", "Facilities", ", Inc.", "Group")
CITIES = (("New York", "NY", "10001", "US"), ("Austin", "tx", "73301", "us"), ("London", "", "EC1A 1BB", "GB"),
          ("Toronto", "ON", "M5H 2N2", "CA"), ("Chicago", "IL", "60601", "US"), ("Leeds", "", "LS1 4AP", "gb"))
STREETS = ("Main St", "High Street", "Elm Avenue", "Market Road", "Harbour Way", "5th Avenue")
# Phone spellings the import must normalise (defaultCountry US, defaultAreaCode 212): national with
# punctuation, international, and local-only numbers that take the area code.
PHONES = ("(212) 555-{n:04d}", "212.555.{n:04d}", "+1 646 555 {n:04d}", "555-{n:04d}", "+44 20 7946 {n:04d}",
          "1-718-555-{n:04d}", "212 555 {n:04d}, 555 {n:04d}")
# Each bad row breaks one rule, in turn: (column, value).
BAD = (("emails", "not-an-email"), ("customerType", "Wholesale"), ("billingCountry", "ZZ"),
       ("accountState", "sleepy"), ("phones", "12"), ("discountRate", "150"), ("customerSegment", "Mid-market"),
       ("firstName", ""))

THROUGHPUT_METHOD = (
    "One import of {rows} generated rows (persons and companies, mixed-case type and segment names, one or two "
    "emails, phones in national, international and local-only spellings, billing and shipping addresses, quoted "
    "multi-line notes; one row in {bad} breaks a §4.3 rule) through the handler template.yaml names for "
    "{function}, invoked with S3's 'Object Created' EventBridge event, reading the file from moto S3 and "
    "making every DynamoDB call to moto (template table, local.dynamodb item-level transaction rollback). "
    "rowsPerSecond = rows / CPU seconds of the process during the handler call minus CPU seconds inside "
    "DynamoDB and S3 calls (botocore before-call to after-call: moto's work and response parsing are "
    "excluded, building, validating and serialising each request are counted); wallRowsPerSecondWithMoto = "
    "rows / wall seconds of the handler call, moto included, on a shared machine. DynamoDB calls counted by "
    "clientele.aws.start_counting_dynamodb_calls() during the handler call, per 1,000 rows of the file. "
)
MEMORY_METHOD = (
    "Peak memory: each file size in a fresh interpreter (python -m bench.imports --memory N), one row in "
    "{bad} bad. The file sits in a moto S3 server in another process and the job streams it over HTTP "
    "(GetObject, 64 KB chunks), as from S3. DynamoDB is moto in the process; every write the job makes "
    "(TransactWriteItems per customer, UpdateItem progress saves) is built, validated and serialised by "
    "botocore, then answered with DynamoDB's empty success reply at before-call instead of being stored, and "
    "moto's dashboard list of every model instance and the empty entries its reads leave are cleared after "
    "each call, so the process holds no storage that grows with the rows; reads (import GetItem, catalog "
    "Query, the BatchGetItem existence check) reach moto. peakMemoryMB = the job's peak resident set above "
    "the resident set just before the handler call (VmHWM, reset through /proc/self/clear_refs, minus "
    "VmRSS); peakRssMB = that peak for the whole process (interpreter, boto3, moto, pydantic and the job; "
    "what Lambda's Max Memory Used reports); tracemalloc was not used: it made the job ~4x slower. "
    "errorListAtCap = tracemalloc peak of a progress holding MAX_STORED_ERRORS errors plus one save of it. "
    "Both children run while the throughput run runs: memory is per process, and rowsPerSecond is CPU time."
)


# --- the file -------------------------------------------------------------------------------------------


def _good_row(n: int, rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)}".replace(" ,", ",")
    shape = n % 3  # a person, a company, or a person at a company
    kind = ("Residential", "commercial", "COMMERCIAL", "Government", "Commercial")[n % 5 if shape else 0]
    row = {"firstName": first if shape != 1 else "", "lastName": last if shape != 1 else "",
           "companyName": company if shape else "", "customerType": kind,
           "customerSegment": ("", "Enterprise", "smb", "")[n % 4],
           "accountState": ("", "active", "growth", "at_risk", "former")[n % 5],
           "accountPriority": ("", "standard", "high", "strategic", "low")[n % 7 % 5],
           "discountRate": ("", "", "5", "12.5", "0")[n % 5]}
    domain = "".join(ch for ch in company.split()[0].lower() if ch.isalpha()) if shape else "mail"
    local = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
    emails = f"{local}.{n}@{domain}.test"
    if n % 4 == 0:
        emails += f", Accounts{n}@{domain.upper()}.TEST"
    row["emails"] = emails if n % 6 else ""
    row["phones"] = PHONES[n % len(PHONES)].format(n=n % 10000) if n % 5 != 4 else ""
    city, region, postcode, country = CITIES[n % len(CITIES)]
    row.update(billingLine1=f"{rng.randrange(1, 999)} {rng.choice(STREETS)}", billingLine2=("", "Suite 4")[n % 2],
               billingCity=city, billingRegion=region, billingPostcode=postcode, billingCountry=country)
    if n % 3 == 0:
        row.update(shippingLine1=f"Dock {n % 40}, {rng.choice(STREETS)}", shippingCity=city,
                   shippingPostcode=postcode, shippingCountry=country)
    if n % 10 == 0:
        row["notes"] = f"Met at the trade fair, {2020 + n % 5}.\nPrefers email; call before noon."
    return row


def expected_failures(rows: int, bad_every: int) -> int:
    return len(range(bad_every - 1, rows, bad_every))


def csv_chunks(rows: int, bad_every: int, seed: int = 7) -> Iterator[bytes]:
    """The file, generated on the fly in ~64 KB chunks: a header, then ``rows`` rows, one in
    ``bad_every`` of them breaking one rule of ``BAD``."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for n in range(rows):
        row = _good_row(n, rng)
        if n % bad_every == bad_every - 1:
            column, value = BAD[n // bad_every % len(BAD)]
            row[column] = value
            if column == "firstName":
                row["companyName"] = row["lastName"] = ""
        writer.writerow(row)
        if buffer.tell() >= 64 * 1024:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# --- the stack ------------------------------------------------------------------------------------------


def _prepare_org(api: Verbs) -> None:
    """Provision the org, give it a default area code (the file's local-only numbers need one) and
    the two segments the file names."""
    current = api.get("/settings", org=ORG)
    assert current.status == 200, current.body
    reply = api.put("/settings", {**current.body, "defaultAreaCode": "212"}, headers={"If-Match": current.etag},
                    org=ORG)
    assert reply.status == 200, reply.body
    for name in ("Enterprise", "SMB"):
        reply = api.post("/customer-segments", {"name": name}, org=ORG)
        assert reply.status == 201, reply.body


def _start_import(api: Verbs) -> str:
    reply = api.post("/imports", {"filename": "customers.csv"}, org=ORG, role="editor")
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


def s3_event(bucket: str, key: str, size: int) -> dict[str, Any]:
    """S3's "Object Created" event as EventBridge hands it to the job."""
    import uuid

    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Object Created", "source": "aws.s3",
            "account": "123456789012", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"), "resources": [f"arn:aws:s3:::{bucket}"],
            "detail": {"version": "0", "bucket": {"name": bucket},
                       "object": {"key": key, "size": size, "etag": "bench", "sequencer": "0"},
                       "request-id": "bench", "requester": "123456789012", "reason": "PutObject"}}


def _job_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    from local import template

    spec = next(fn for fn in template.functions() if fn.logical_id == JOB_FUNCTION)
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = spec.load()
    return handler


def _forget_moto_bookkeeping(purge_missed_keys: bool = False) -> None:
    """moto keeps every model instance it ever made (``instances_tracked``, for its dashboard: a deep
    copy of the item for every UpdateItem and read), and its tables' ``defaultdict`` gains an empty entry
    for every key a read misses. Neither is storage DynamoDB keeps, let alone in the caller's process."""
    from moto.core.model_instances import reset_model_data
    from moto.dynamodb import dynamodb_backends

    reset_model_data()
    if purge_missed_keys:
        for account in dynamodb_backends.values():
            for backend in account.values():
                for table in backend.tables.values():
                    for key in [key for key, value in table.items.items() if not value]:
                        del table.items[key]


class _Hooks:
    """Event handlers on botocore clients, unregistered together."""

    def __init__(self) -> None:
        self._registered: list[tuple[Any, str, str]] = []

    def add(self, client: Any, event: str, handler: Callable[..., Any]) -> None:
        unique = f"bench-imports-{len(self._registered)}-{event}"
        client.meta.events.register(event, handler, unique_id=unique)
        self._registered.append((client, event, unique))

    def close(self) -> None:
        for client, event, unique in self._registered:
            client.meta.events.unregister(event, unique_id=unique)
        self._registered.clear()


class _AwsTime:
    """CPU and wall time inside calls to the given clients (before-call → after-call). moto's
    bookkeeping is cleared inside the window, so that it neither counts nor piles up."""

    def __init__(self, hooks: _Hooks, clients: list[Any]) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self._started: list[tuple[float, float]] = []
        for client in clients:
            service = client.meta.service_model.service_name
            hooks.add(client, f"before-call.{service}", self._before)
            hooks.add(client, f"after-call.{service}", self._after)

    def _before(self, **_: Any) -> None:
        self._started.append((time.perf_counter(), time.process_time()))

    def _after(self, **_: Any) -> None:
        _forget_moto_bookkeeping()
        wall, cpu = self._started.pop()
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu


class _RequestBuild:
    """CPU time botocore spends building, validating and serialising each operation's requests
    (provide-client-params → before-call), by operation."""

    def __init__(self, hooks: _Hooks, client: Any) -> None:
        self.cpu: dict[str, float] = {}
        self._started = 0.0
        hooks.add(client, "provide-client-params.dynamodb", self._start)
        hooks.add(client, "before-call.dynamodb", self._stop)

    def _start(self, **_: Any) -> None:
        self._started = time.process_time()

    def _stop(self, model: Any, **_: Any) -> None:
        self.cpu[model.name] = self.cpu.get(model.name, 0.0) + time.process_time() - self._started


# --- throughput and calls -------------------------------------------------------------------------------


def measure_throughput(rows: int = ROWS) -> dict[str, Any]:
    import boto3

    from clientele import aws
    from clientele.config import config
    from clientele.store import imports as import_store
    from local import in_process
    from local.events import LambdaContext
    from local.invoke import Api

    body = b"".join(csv_chunks(rows, BAD_EVERY))
    failed = expected_failures(rows, BAD_EVERY)
    hooks = _Hooks()
    # The local stack's repairs: without them moto deep-copies the table for every transaction, O(table) per row.
    with in_process.moto(bucket=True):
        try:
            bucket = config().imports_bucket
            api = Api()
            _prepare_org(api)
            import_id = _start_import(api)
            key = import_store.object_key(ORG, import_id)
            boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/csv")
            handler = _job_handler()
            event = s3_event(bucket, key, len(body))

            dynamodb = aws.dynamodb()
            build = _RequestBuild(hooks, dynamodb)
            inside = _AwsTime(hooks, [dynamodb, aws.client("s3")])
            items: list[int] = []
            update_bytes: list[int] = []
            hooks.add(dynamodb, "provide-client-params.dynamodb.TransactWriteItems",
                      lambda params, **_: items.append(len(params.get("TransactItems", ()))))
            hooks.add(dynamodb, "before-call.dynamodb.UpdateItem",
                      lambda params, **_: update_bytes.append(len(params["body"])))
            _forget_moto_bookkeeping()
            gc.collect()
            counted = aws.start_counting_dynamodb_calls()
            cpu_began, began = time.process_time(), time.perf_counter()
            result = handler(event, LambdaContext(timeout_seconds=900))
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
            calls = list(counted)
            aws.start_counting_dynamodb_calls()
            hooks.close()
            assert result == {"processed": True, "status": "completed_with_errors"}, result
            status = api.get(f"/imports/{import_id}", org=ORG).body
            assert (status["status"], status["rowsTotal"], status["rowsImported"], status["rowsFailed"]) == (
                "completed_with_errors", rows, rows - failed, failed), status
            listed = api.get("/customers", org=ORG, query="limit=3")
            assert listed.status == 200 and len(listed.body["items"]) == 3, listed.body
        finally:
            hooks.close()
    job_cpu = max(cpu - inside.cpu, 1e-9)
    per_1000 = 1000 / rows
    return {
        "rows": rows, "rowsImported": status["rowsImported"], "rowsFailed": status["rowsFailed"],
        "storedErrors": len(status["errors"]), "fileMB": round(len(body) / 2**20, 2),
        "rowsPerSecond": round(rows / job_cpu),
        "cpuMsPer1000Rows": round(job_cpu * 1000 * per_1000, 1),
        "wallRowsPerSecondWithMoto": round(rows / wall),
        "wallSeconds": round(wall, 1), "processCpuSeconds": round(cpu, 1),
        "cpuSecondsInsideAwsCalls": round(inside.cpu, 1), "wallSecondsInsideAwsCalls": round(inside.wall, 1),
        "requestBuildCpuMsPer1000Rows": {name: round(seconds * 1000 * per_1000, 1)
                                         for name, seconds in sorted(build.cpu.items())},
        "dynamodbCalls": len(calls),
        "dynamodbCallsPer1000Rows": round(len(calls) * per_1000, 1),
        "callMix": {name: calls.count(name) for name in sorted(set(calls))},
        "itemsPerTransaction": round(sum(items) / max(len(items), 1), 2),
        "progressSaves": len(update_bytes),
        "progressSaveKBMean": round(sum(update_bytes) / max(len(update_bytes), 1) / 1024, 1),
        "progressSaveKBLast": round(update_bytes[-1] / 1024, 1) if update_bytes else 0.0,
    }


# --- peak memory ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def s3_server() -> Iterator[str]:
    """A moto server in its own process (only its S3 is used); yields its endpoint URL."""
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            yield _wait_until_serving(server, port, log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_serving(server: subprocess.Popen[bytes], port: int, log: IO[bytes]) -> str:
    def serving() -> bool:
        if server.poll() is not None:
            raise RuntimeError(f"moto server exited with {server.returncode}: {_log_text(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        return False

    try:
        eventually(serving, True, interval=0.1)
    except NotYet as error:
        raise RuntimeError(f"moto server did not start: {_log_text(log)}") from error
    return f"http://127.0.0.1:{port}"


def _log_text(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


def _server_s3(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench", config=Config(s3={"addressing_style": "path"}))


def _upload(url: str, bucket: str, rows: int) -> str:
    """One PutObject, as the pre-signed upload makes (moto's checksum of a multipart object's copy
    does not match its body, so GetObject would fail botocore's checksum validation)."""
    key = STAGING_KEY.format(rows=rows)
    _server_s3(url).put_object(Bucket=bucket, Key=key, Body=b"".join(csv_chunks(rows, MEMORY_BAD_EVERY)),
                               ContentType="text/csv")
    return key


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _error_list_at_cap(answer: Callable[..., Any]) -> float:
    """tracemalloc peak (MB) of a progress holding MAX_STORED_ERRORS unsaved errors and one save of them
    (the most a run holds: errors are saved with each checkpoint, at most PROGRESS_SECONDS apart)."""
    import tracemalloc

    from clientele import aws
    from clientele.errors import FieldError
    from clientele.services.imports import progress as import_progress

    hooks = _Hooks()
    hooks.add(aws.dynamodb(), "before-call.dynamodb.UpdateItem", answer)
    tracemalloc.start()
    try:
        progress = import_progress.Progress()
        for row in range(import_progress.MAX_STORED_ERRORS):
            progress.fail(row + 2, [FieldError("emails[0]", f"'not-an-email.{row}' is not a valid email address.")])
        progress.save(ORG, "cap")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        hooks.close()
    return round(peak / 2**20, 2)


def memory_child(rows: int, staging_key: str) -> dict[str, Any]:
    """One memory run, in its own interpreter: see MEMORY_METHOD."""
    import resource

    from boto3.dynamodb.types import TypeDeserializer
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    from clientele import aws
    from clientele.config import config
    from clientele.store import imports as import_store
    from local import in_process
    from local.events import LambdaContext
    from local.invoke import Api

    bucket = config().imports_bucket
    hooks = _Hooks()
    answered: list[str] = []
    saved: dict[str, Any] = {}

    def answer(model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        answered.append(model.name)
        assert params["body"]  # validated and serialised by botocore, as every call
        return AWSResponse("https://dynamodb.bench", 200, HTTPHeaders(), None), {}

    def remember(params: dict[str, Any], **_: Any) -> None:
        """The import's counters as the job last saved them, and the errors it appended (the saves
        themselves are answered, not stored)."""
        names = params.get("ExpressionAttributeNames", {})
        attributes = params.get("ExpressionAttributeValues", {})
        errors = saved.get("errors", []) + [TypeDeserializer().deserialize(value)
                                            for value in attributes.get(":new", {}).get("L", [])]
        saved.update({names[f"#{ref[1:]}"]: TypeDeserializer().deserialize(value)
                      for ref, value in attributes.items() if f"#{ref[1:]}" in names})
        saved["errors"] = errors

    with in_process.moto():
        try:
            api = Api()
            _prepare_org(api)
            import_id = _start_import(api)
            key = import_store.object_key(ORG, import_id)
            s3 = aws.client("s3")  # the job's own client, at AWS_ENDPOINT_URL_S3
            s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": staging_key})
            size = int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
            handler = _job_handler()
            event = s3_event(bucket, key, size)
            dynamodb = aws.dynamodb()
            for name in WRITES:
                hooks.add(dynamodb, f"before-call.dynamodb.{name}", answer)
            hooks.add(dynamodb, "provide-client-params.dynamodb.UpdateItem", remember)
            hooks.add(dynamodb, "after-call.dynamodb", lambda **_: _forget_moto_bookkeeping(purge_missed_keys=True))
            _forget_moto_bookkeeping(purge_missed_keys=True)
            counted = aws.start_counting_dynamodb_calls()
            gc.collect()
            rss_before = _status_kb("VmRSS")
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")  # the peak resident set starts again from the current one
            cpu_began, began = time.process_time(), time.perf_counter()
            result = handler(event, LambdaContext(timeout_seconds=900))
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
            peak_rss = _status_kb("VmHWM")
            calls = list(counted)
            writes = len(answered)
            hooks.close()
            at_cap = _error_list_at_cap(answer)
        finally:
            hooks.close()
    assert result == {"processed": True, "status": "completed_with_errors"}, result
    failed = expected_failures(rows, MEMORY_BAD_EVERY)
    final = (saved.get("status"), saved.get("rowsTotal"), saved.get("rowsImported"), saved.get("rowsFailed"))
    assert final == ("completed_with_errors", rows, rows - failed, failed), final
    transactions = answered.count("TransactWriteItems")
    assert transactions == rows - failed, transactions
    return {"rows": rows, "fileMB": round(size / 2**20, 2), "peakMemoryMB": round((peak_rss - rss_before) / 1024, 2),
            "peakRssMB": round(peak_rss / 1024, 1), "rssBeforeMB": round(rss_before / 1024, 1),
            "processMaxRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "storedErrors": len(saved.get("errors") or ()), "errorListAtCapMB": at_cap,
            "writesAnswered": writes, "dynamodbCallsToMoto": len(calls),
            "cpuSeconds": round(cpu, 1), "wallSeconds": round(wall, 1)}


def _start_memory_children(stack: contextlib.ExitStack, url: str, bucket: str,
                           sizes: tuple[int, ...]) -> list[tuple[int, subprocess.Popen[bytes], IO[bytes]]]:
    children: list[tuple[int, subprocess.Popen[bytes], IO[bytes]]] = []
    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-imports-"))
    env = {**os.environ, "AWS_ENDPOINT_URL_S3": url, "PYTHONPATH": os.pathsep.join(
        path for path in (str(ROOT / "layers" / "core"), str(ROOT), os.environ.get("PYTHONPATH", "")) if path)}
    for rows in sizes:
        staging = _upload(url, bucket, rows)
        output = stack.enter_context((Path(folder) / f"memory-{rows}.log").open("w+b"))
        child = subprocess.Popen([sys.executable, "-m", "bench.imports", "--memory", str(rows), "--key", staging],
                                 stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        children.append((rows, child, output))
    return children


def _collect(children: list[tuple[int, subprocess.Popen[bytes], IO[bytes]]]) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for rows, child, output in children:
        code = child.wait()
        output.seek(0)
        text = output.read().decode(errors="replace")
        if code != 0:
            raise RuntimeError(f"memory run of {rows} rows failed ({code}):\n{text[-4000:]}")
        runs[str(rows)] = json.loads(text.strip().splitlines()[-1])
    return runs


# --- the figures ----------------------------------------------------------------------------------------


def measure_import() -> dict[str, Any]:
    """Throughput and calls for ROWS rows in this process while the memory children run."""
    from clientele.config import config

    bucket = config().imports_bucket
    with s3_server() as url, contextlib.ExitStack() as outputs:
        _server_s3(url).create_bucket(Bucket=bucket)
        children = _start_memory_children(outputs, url, bucket, MEMORY_ROWS)
        try:
            throughput = measure_throughput()
            memory = _collect(children)
        finally:
            for _, child, _ in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    sizes = sorted(memory, key=int)
    smallest, largest = memory[sizes[0]], memory[sizes[-1]]
    return {
        **throughput,
        "peakMemoryMB": {rows: memory[rows]["peakMemoryMB"] for rows in sizes},
        "peakRssMB": {rows: memory[rows]["peakRssMB"] for rows in sizes},
        "peakMemoryRatio": round(largest["peakMemoryMB"] / max(smallest["peakMemoryMB"], 0.01), 2),
        "errorListAtCapMB": smallest["errorListAtCapMB"],
        "memoryRuns": memory,
        "method": THROUGHPUT_METHOD.format(rows=throughput["rows"], bad=BAD_EVERY, function=JOB_FUNCTION)
                  + MEMORY_METHOD.format(bad=MEMORY_BAD_EVERY),
    }


def print_import(figures: dict[str, Any]) -> None:
    mix = ", ".join(f"{name} x{count}" for name, count in figures["callMix"].items())
    build = ", ".join(f"{name} {ms}" for name, ms in figures["requestBuildCpuMsPer1000Rows"].items())
    print(f"\nCSV import job ({figures['rows']} rows, {figures['fileMB']} MB: {figures['rowsImported']} imported, "
          f"{figures['rowsFailed']} bad rows reported)")
    print(f"  {figures['rowsPerSecond']} rows/s CPU side without time in AWS calls ({figures['cpuMsPer1000Rows']} ms "
          f"per 1,000 rows; botocore request building {build} ms of it); wall with moto "
          f"{figures['wallRowsPerSecondWithMoto']} rows/s ({figures['wallSeconds']} s)")
    print(f"  {figures['dynamodbCallsPer1000Rows']} DynamoDB calls per 1,000 rows ({mix}); "
          f"{figures['itemsPerTransaction']} items per transaction; {figures['progressSaves']} progress saves of "
          f"{figures['progressSaveKBMean']} KB on average, {figures['progressSaveKBLast']} KB the last")
    print(f"  {'rows':>8} {'file MB':>8} {'peak MB (job)':>14} {'peak RSS MB':>12} {'stored errors':>14}")
    for rows, run in sorted(figures["memoryRuns"].items(), key=lambda item: int(item[0])):
        print(f"  {rows:>8} {run['fileMB']:>8} {run['peakMemoryMB']:>14} {run['peakRssMB']:>12} "
              f"{run['storedErrors']:>14}")
    print(f"  largest/smallest file peak: {figures['peakMemoryRatio']:.2f}x (flat = streaming); the error list at "
          f"its cap adds at most {figures['errorListAtCapMB']} MB")
    print(f"  measured as: {figures['method']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports")
    parser.add_argument("--memory", type=int, help="one memory run of this many rows (a child process)")
    parser.add_argument("--key", help="the memory run's staged object (S3 at AWS_ENDPOINT_URL_S3)")
    args = parser.parse_args(argv)
    environment()
    if args.memory:
        print(json.dumps(memory_child(args.memory, args.key)))
        return
    figures = measure_import()
    print_import(figures)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
