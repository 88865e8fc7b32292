"""Issue 5 over real HTTP against `python -m local.server`: racing upserts, and the S3 → EventBridge import."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from clientele.services.quickbooks_webhook import signature_of
from local.launch import REQUEST_TIMEOUT
from local.polling import eventually
from tests.e2e.conftest import Stack
from tests.jobs.qbo_fixtures import classic_customer, classic_notification, cloud_event

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


GOOD_AND_BAD = (
    "companyName,firstName,customerType,emails,phones,billingCountry\n"
    "Harbour Hotel,,Commercial,ops@harbour.test,+1 212 555 0101,US\n"  # row 2: good
    ",,Commercial,,,\n"                                                 # row 3: no name
    "Pier Cafe,,Commercial,not-an-email,,\n"                           # row 4: bad email
    ",Ann,Residential,,,GB\n"                                           # row 5: good
    "Dock Ltd,,No Such Type,,,\n"                                      # row 6: unknown type
)


def finished(stack: Stack, org: str, location: str) -> dict[str, Any]:
    """The import's status once it is no longer pending or running."""
    status: dict[str, Any] = eventually(lambda: stack.get(location, org=org).json(),
                                        lambda status: status["status"] not in ("pending", "running"))
    return status


def assert_good_and_bad_outcome(status: dict[str, Any]) -> None:
    assert status["status"] == "completed_with_errors", status
    assert (status["rowsTotal"], status["rowsImported"], status["rowsFailed"]) == (5, 2, 3), status
    assert sorted((error["row"], error["field"]) for error in status["errors"]) == [
        (3, "firstName"), (4, "emails[0]"), (6, "customerType")], status["errors"]


def test_inline_csv_import_runs_through_s3_and_eventbridge(stack: Stack) -> None:
    org = f"imp-{uuid.uuid4().hex[:8]}"
    reply = stack.request("POST", "/imports", org=org, role="editor", data=GOOD_AND_BAD,
                          headers={"Content-Type": "text/csv"})
    assert reply.status_code == 202, reply.text
    assert_good_and_bad_outcome(finished(stack, org, reply.headers["Location"]))
    names = sorted(item["displayName"] for item in stack.get("/customers", org=org).json()["items"])
    assert names == ["Ann", "Harbour Hotel"]


def test_a_file_put_to_the_presigned_url_is_imported(stack: Stack) -> None:
    org = f"imp-{uuid.uuid4().hex[:8]}"
    reply = stack.post("/imports", org=org, role="editor", json={"filename": "customers.csv"})
    assert reply.status_code == 201, reply.text
    created = reply.json()
    assert created["status"] == "pending"
    uploaded = requests.put(created["uploadUrl"], data=GOOD_AND_BAD.encode(), timeout=REQUEST_TIMEOUT,
                            headers={"Content-Type": "text/csv"})
    assert uploaded.status_code == 200, uploaded.text
    assert_good_and_bad_outcome(finished(stack, org, reply.headers["Location"]))


def test_a_requested_quickbooks_sync_reaches_the_job(stack: Stack) -> None:
    """POST → the local bus → the sync job (as its EventBridge rule in template.yaml) → GET shows the run.
    No QuickBooks tokens are stored for the org, so the run fails asking for a reconnect."""
    org = f"qbo-{uuid.uuid4().hex[:8]}"
    settings = stack.get("/settings", org=org)
    connected = stack.request("PUT", "/settings", org=org, headers={"If-Match": settings.headers["ETag"]},
                              json={**settings.json(), "customerIntegrationEnabled": True,
                                    "integrationProvider": "quickbooks",
                                    "quickbooksRealmId": f"e2e{uuid.uuid4().hex[:10]}"})
    assert connected.status_code == 200, connected.text
    assert stack.get("/integrations/quickbooks/sync", org=org).json()["status"] == "never_run"
    reply = stack.post("/integrations/quickbooks/sync", org=org, json={"full": True})
    assert reply.status_code == 202, reply.text
    progress = eventually(lambda: stack.get(reply.headers["Location"], org=org, role="integration").json(),
                          lambda progress: progress["status"] not in ("never_run", "running"))
    assert (progress["status"], progress["mode"], progress["running"]) == ("failed", "full", False), progress
    assert "No QuickBooks tokens" in progress["error"] and progress["lastRunAt"], progress
    assert stack.server.wait_for(r"JOB\s+QuickBooksSyncJobFunction")


@pytest.mark.parametrize("notification", ["classic", "cloudevents"])
def test_a_signed_quickbooks_delete_soft_deletes_the_local_customer(stack: Stack, notification: str) -> None:
    """Issue 16: Intuit's Delete (classic) or qbo.customer.deleted.v1 (CloudEvents) → webhook → the local
    bus → the sync job, which soft-deletes the customer without calling QuickBooks (no tokens stored)."""
    org = f"qbo-{uuid.uuid4().hex[:8]}"
    realm = f"e2e{uuid.uuid4().hex[:10]}"
    remote_id = "58"
    created = stack.request("PUT", f"/customers/by-remote-id/{remote_id}", org=org, role="integration",
                            json={"companyName": "Test Project"})
    assert created.status_code == 201, created.text
    settings = stack.get("/settings", org=org)
    connected = stack.request("PUT", "/settings", org=org, headers={"If-Match": settings.headers["ETag"]},
                              json={**settings.json(), "customerIntegrationEnabled": True,
                                    "integrationProvider": "quickbooks", "quickbooksRealmId": realm})
    assert connected.status_code == 200, connected.text
    payload = (classic_notification(realm, classic_customer(remote_id, "Delete")) if notification == "classic"
               else [cloud_event(realm, remote_id, "deleted")])
    raw = json.dumps(payload).encode()
    reply = requests.post(f"{stack.url}/integrations/quickbooks/webhook", data=raw, timeout=REQUEST_TIMEOUT,
                          headers={"Content-Type": "application/json",
                                   "intuit-signature": signature_of(raw, b"local-verifier-token")})
    assert reply.status_code == 200, reply.text
    customer = eventually(lambda: stack.get(f"/customers/{created.json()['id']}", org=org).json(),
                          lambda customer: bool(customer.get("deletedAt")))
    assert customer["deletedAt"] and customer["isActive"] is False, customer
    progress = stack.get("/integrations/quickbooks/sync", org=org).json()
    assert (progress["mode"], progress["counts"]["deactivated"], progress["error"]) == ("ids", 1, None), progress
