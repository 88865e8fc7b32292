"""Issue 5 over real HTTP against `python -m local.server`: racing upserts, and the S3 → EventBridge import."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


def test_concurrent_upserts_create_exactly_one_customer(stack: Stack) -> None:
    org = f"race-{uuid.uuid4().hex[:8]}"
    remote_id = "QB-42"

    def upsert(n: int) -> requests.Response:
        return stack.request("PUT", f"/customers/by-remote-id/{remote_id}", org=org, role="integration",
                             json={"companyName": f"Racer {n}"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(upsert, range(8)))
    statuses = sorted(reply.status_code for reply in replies)
    assert statuses == [200] * 7 + [201], [reply.text for reply in replies]
    assert len({reply.json()["id"] for reply in replies}) == 1
    listed = stack.get("/customers", org=org).json()["items"]
    assert len(listed) == 1


def test_inline_csv_import_runs_through_s3_and_eventbridge(stack: Stack) -> None:
    org = f"imp-{uuid.uuid4().hex[:8]}"
    csv_text = "companyName,customerType\nAcme,Commercial\n,Commercial\n"
    reply = stack.request("POST", "/imports", org=org, role="editor", data=csv_text,
                          headers={"Content-Type": "text/csv"})
    assert reply.status_code == 202, reply.text
    deadline = time.monotonic() + 10
    status = {}
    while time.monotonic() < deadline:
        status = stack.get(reply.headers["Location"], org=org).json()
        if status["status"] not in ("pending", "running"):
            break
        time.sleep(0.2)
    assert status["status"] == "completed_with_errors", status
    assert (status["rowsImported"], status["rowsFailed"]) == (1, 1)
