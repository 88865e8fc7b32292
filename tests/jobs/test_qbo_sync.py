"""The QuickBooks Online sync job (SPEC §5.3) against a fake QuickBooks over real HTTP, with moto for
DynamoDB, Secrets Manager and EventBridge. Events reach the handler as EventBridge delivers them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from clientele.integrations import quickbooks
from clientele.integrations.quickbooks import QboUnavailable
from clientele.services import quickbooks_sync
from clientele.services.quickbooks_webhook import signature_of
from clientele.store import quickbooks_sync as sync_store
from clientele.store import remote_ids
from functions.jobs.qbo_sync import lambda_handler as qbo_job
from local.events import LambdaContext
from local.invoke import Verbs
from tests.bus import Watch, watch

from .fake_qbo import CLIENT_ID, CLIENT_SECRET, REALM, FakeQbo
from .qbo_fixtures import (
    QUERY_RESPONSE_FAULT,
    SAMPLE_COUNTRIES,
    THROTTLE_403_XML,
    classic_customer,
    classic_notification,
    cloud_event,
    cloud_merge,
    sub_customer,
)

SECRET = "clientele/qbo/acme"
LONG_AGO = datetime.now(UTC) - timedelta(days=2)

# Recorded shapes (QuickBooks sandbox sample company), trimmed to the fields the sync reads and a few it ignores.
AMY = {"GivenName": "Amy", "FamilyName": "Lauterbach", "CompanyName": "Amy's Bird Sanctuary",
       "PrimaryEmailAddr": {"Address": "Birds@Intuit.com"}, "PrimaryPhone": {"FreeFormNumber": "(650) 555-3311"},
       "BillAddr": {"Id": "2", "Line1": "4581 Finch St.", "City": "Bayshore", "CountrySubDivisionCode": "CA",
                    "PostalCode": "94326", "Lat": "INVALID", "Long": "INVALID"},
       "Notes": "Note test"}
BILL = {"GivenName": "Bill", "FamilyName": "Lucchini", "CompanyName": "Bill's Windsurf Shop",
        "PrimaryEmailAddr": {"Address": "Surf@Intuit.com"}, "PrimaryPhone": {"FreeFormNumber": "(415) 444-6538"},
        "Mobile": {"FreeFormNumber": "(415) 555-0101"},
        "BillAddr": {"Id": "3", "Line1": "12 Ocean Dr.", "City": "Half Moon Bay", "CountrySubDivisionCode": "CA",
                     "PostalCode": "94213", "Country": "USA"},
        "ShipAddr": {"Id": "4", "Line1": "Pier 39", "Line2": "Dock 2", "City": "San Francisco",
                     "CountrySubDivisionCode": "CA", "PostalCode": "94133", "Country": "US"}}
COOL_CARS = {"GivenName": "Grace", "FamilyName": "Pariente", "CompanyName": "Cool Cars",
             "PrimaryEmailAddr": {"Address": "Cool_Cars@intuit.com"}, "PrimaryPhone": {"FreeFormNumber": "(415) 555-9933"},
             "BillAddr": {"Id": "5", "Line1": "65 Ocean Dr.", "City": "Half Moon Bay", "CountrySubDivisionCode": "CA",
                          "PostalCode": "94213"}}
DIEGO = {"GivenName": "Diego", "FamilyName": "Rodriguez", "DisplayName": "Diego Rodriguez",
         "PrimaryEmailAddr": {"Address": "Diego@Rodriguez.com"}, "PrimaryPhone": {"FreeFormNumber": "(650) 555-4477"},
         "BillAddr": {"Id": "6", "Line1": "321 Channing", "City": "Palo Alto", "CountrySubDivisionCode": "CA",
                      "PostalCode": "94303"}}
DYLAN = {"DisplayName": "Dylan Sollfrank"}  # neither GivenName nor CompanyName
BROKEN = {"CompanyName": "Broken Email Inc", "PrimaryEmailAddr": {"Address": "not-an-email"}}
SAMPLE: dict[str, dict[str, Any]] = {"1": AMY, "2": BILL, "3": COOL_CARS, "4": DIEGO, "5": DYLAN, "6": BROKEN}
GOOD_IDS = ["1", "2", "3", "4", "5"]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def qbo(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeQbo]:
    fake = FakeQbo().start()
    monkeypatch.setenv("QBO_BASE_URL", fake.url)
    monkeypatch.setenv("QBO_TOKEN_URL", fake.token_url)
    monkeypatch.setenv("QBO_TOKENS_SECRET_PREFIX", "clientele/qbo/")
    monkeypatch.setenv("QBO_BACKOFF_BASE_SECONDS", "0.01")
    quickbooks.reset()
    yield fake
    fake.stop()
    quickbooks.reset()


@pytest.fixture
def bus(table: str) -> Watch:
    """Every clientele.quickbooks event put on the project's bus."""
    return watch(quickbooks_sync.EVENT_SOURCE)


def _store_tokens(org: str = "acme", **overrides: Any) -> None:
    tokens = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": "rt-1",
              "access_token": "expired-token", "expires_at": 0, **overrides}
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name=f"clientele/qbo/{org}", SecretString=json.dumps(tokens))


def _stored_tokens(org: str = "acme") -> dict[str, Any]:
    raw = boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(SecretId=f"clientele/qbo/{org}")
    return dict(json.loads(raw["SecretString"]))


def sync_state(org: str = "acme") -> dict[str, Any]:
    """The org's stored sync state, which must be there."""
    state = sync_store.get_state(org)
    assert state is not None
    return state


def _settings(api: Verbs, org: str = "acme", **changes: Any) -> None:
    current = api.get("/settings", org=org)
    reply = api.put("/settings", {**current.body, **changes}, org=org, headers={"if-match": current.etag})
    assert reply.status == 200, reply.body


def _connect(api: Verbs, org: str = "acme", realm: str = REALM, enabled: bool = True) -> None:
    _settings(api, org, integrationProvider="quickbooks", quickbooksRealmId=realm, customerIntegrationEnabled=enabled)


@pytest.fixture
def connected(api: Verbs, qbo: FakeQbo, bus: Watch) -> FakeQbo:
    """acme connected to the fake's company, tokens stored, the sample customers in QuickBooks."""
    _connect(api)
    _store_tokens()
    for customer_id, fields in SAMPLE.items():
        qbo.put(customer_id, updated=LONG_AGO, **fields)
    return qbo


def _event(detail_type: str, **detail: Any) -> dict[str, Any]:
    return {"version": "0", "id": "e-1", "source": quickbooks_sync.EVENT_SOURCE, "detail-type": detail_type,
            "account": "123456789012", "region": "us-east-1", "detail": detail}


def run(org: str = "acme", context: Any = None, **detail: Any) -> dict[str, Any]:
    """The job, as the bus hands it a QuickBooksSyncRequested."""
    result: dict[str, Any] = qbo_job(_event(quickbooks_sync.SYNC_REQUESTED, org=org, **detail),
                                     context or LambdaContext(timeout_seconds=900))
    return result


def customer(api: Verbs, remote_id: str, org: str = "acme") -> dict[str, Any]:
    customer_id = remote_ids.customer_id_for(org, remote_id)
    assert customer_id is not None, f"no customer with remote id {remote_id}"
    reply = api.get(f"/customers/{customer_id}", org=org)
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def versions(api: Verbs, remote_ids_: list[str]) -> dict[str, int]:
    return {remote_id: customer(api, remote_id)["version"] for remote_id in remote_ids_}


# ----------------------------------------------------------------------------- mapping


def test_a_quickbooks_customer_maps_onto_the_customer_fields() -> None:
    document = quickbooks_sync.customer_document({"Id": "2", "Active": True, **BILL})
    assert document == {
        "firstName": "Bill", "lastName": "Lucchini", "companyName": "Bill's Windsurf Shop",
        "emails": "Surf@Intuit.com", "phones": ["(415) 444-6538", "(415) 555-0101"],
        "billingAddress": {"line1": "12 Ocean Dr.", "city": "Half Moon Bay", "region": "CA", "postcode": "94213",
                           "country": "US"},  # QuickBooks sends "USA"
        "shippingAddress": {"line1": "Pier 39", "line2": "Dock 2", "city": "San Francisco", "region": "CA",
                            "postcode": "94133", "country": "US"},
        "notes": None, "isActive": True,
    }


def test_a_customer_without_given_or_company_name_uses_the_display_name_as_company() -> None:
    document = quickbooks_sync.customer_document({"Id": "5", "Active": False, **DYLAN})
    assert (document["firstName"], document["companyName"], document["isActive"]) == (None, "Dylan Sollfrank", False)


# ----------------------------------------------------------------------------- first run, re-runs, changes


def test_first_run_is_a_full_resync_that_creates_every_customer(api: Verbs, connected: FakeQbo) -> None:
    result = run()
    assert (result["status"], result["mode"]) == ("completed_with_errors", "full")
    assert result["counts"] == {"fetched": 6, "created": 5, "updated": 0, "unchanged": 0, "deactivated": 0,
                                "failed": 1}
    assert not connected.api_requests("/cdc")
    queries = [seen.params["query"] for seen in connected.api_requests("/query")]
    assert queries == ["select * from Customer where Active in (true, false) STARTPOSITION 1 MAXRESULTS 1000"]


def test_after_the_job_the_customers_match_quickbooks(api: Verbs, connected: FakeQbo) -> None:
    run()
    bill = customer(api, "2")
    assert (bill["firstName"], bill["lastName"], bill["companyName"]) == ("Bill", "Lucchini", "Bill's Windsurf Shop")
    assert bill["emails"] == ["surf@intuit.com"]
    assert bill["phones"] == ["+1-415-444-6538", "+1-415-555-0101"]
    assert bill["billingAddress"] == {"line1": "12 Ocean Dr.", "line2": None, "city": "Half Moon Bay",
                                      "region": "CA", "postcode": "94213", "country": "US"}  # from "USA"
    assert bill["shippingAddress"]["country"] == "US"
    assert bill["remoteId"] == "2" and bill["isActive"] is True
    assert customer(api, "1")["notes"] == "Note test"
    assert customer(api, "5")["companyName"] == "Dylan Sollfrank"
    assert customer(api, "5")["firstName"] is None
    assert remote_ids.customer_id_for("acme", "6") is None  # the invalid row created nothing


def test_a_row_that_fails_validation_is_counted_and_recorded_without_stopping_the_sync(
        api: Verbs, connected: FakeQbo) -> None:
    run()
    state = sync_store.get_state("acme")
    assert state is not None
    assert state["status"] == "completed_with_errors"
    assert state["counts"]["failed"] == 1 and state["counts"]["created"] == 5
    assert [error["remoteId"] for error in state["errors"]] == ["6"]
    assert "emails" in state["errors"][0]["message"]


def test_a_second_run_changes_nothing(api: Verbs, qbo: FakeQbo, bus: Watch) -> None:
    _connect(api)
    _store_tokens()
    for customer_id, fields in SAMPLE.items():
        qbo.put(customer_id, **fields)  # changed just now: the second run's CDC returns them all again
    run()
    before = versions(api, GOOD_IDS)
    again = run()
    assert again["mode"] == "cdc"
    assert again["counts"]["unchanged"] == 5 and again["counts"]["failed"] == 1
    assert again["counts"]["created"] == again["counts"]["updated"] == 0
    forced = run(full=True)
    assert (forced["mode"], forced["counts"]["unchanged"]) == ("full", 5)
    assert versions(api, GOOD_IDS) == before == dict.fromkeys(GOOD_IDS, 1)


def test_changes_in_quickbooks_reach_the_customer_through_cdc_since_the_watermark(
        api: Verbs, connected: FakeQbo) -> None:
    first = run()
    watermark = sync_state()["changedSince"]
    connected.put("2", CompanyName="Bill's Surf & Sail", PrimaryPhone={"FreeFormNumber": "(415) 444-0000"})
    result = run()
    assert result["mode"] == "cdc"
    assert result["counts"] == {"fetched": 1, "created": 0, "updated": 1, "unchanged": 0, "deactivated": 0,
                                "failed": 0}
    assert [seen.params["changedSince"] for seen in connected.api_requests("/cdc")] == [watermark]
    bill = customer(api, "2")
    assert (bill["companyName"], bill["phones"], bill["version"]) == (
        "Bill's Surf & Sail", ["+1-415-444-0000", "+1-415-555-0101"], 2)
    assert first["counts"]["created"] == 5


def test_creates_updates_a_deactivation_and_a_429_in_one_run_then_a_second_run_changes_nothing(
        api: Verbs, connected: FakeQbo) -> None:
    """Issue 5's scenario: one CDC run meets all of it; afterwards the customers match QuickBooks."""
    run()
    connected.put("8", GivenName="Ada", FamilyName="Lovelace", PrimaryEmailAddr={"Address": "ada@engine.test"})
    connected.put("2", CompanyName="Bill's Surf & Sail")
    connected.put("3", Active=False)
    connected.fail_next.append((429, {"Retry-After": "0"}))
    result = run()
    assert (result["status"], result["mode"]) == ("completed", "cdc")
    assert result["counts"] == {"fetched": 3, "created": 1, "updated": 1, "unchanged": 0, "deactivated": 1,
                                "failed": 0}
    assert len(connected.api_requests("/cdc")) == 2  # the 429, then the same request again
    ada, bill, cool_cars = customer(api, "8"), customer(api, "2"), customer(api, "3")
    assert (ada["displayName"], ada["emails"]) == ("Ada Lovelace", ["ada@engine.test"])
    assert bill["companyName"] == "Bill's Surf & Sail"
    assert cool_cars["isActive"] is False
    before = versions(api, ["8", "2", "3", *GOOD_IDS])
    again = run()
    assert again["counts"]["created"] == again["counts"]["updated"] == again["counts"]["deactivated"] == 0
    assert versions(api, ["8", "2", "3", *GOOD_IDS]) == before


def test_the_watermark_is_the_run_start_minus_a_small_skew(api: Verbs, connected: FakeQbo) -> None:
    before = datetime.now(UTC)
    run()
    watermark = datetime.fromisoformat(sync_state()["changedSince"])
    skew = quickbooks_sync.WATERMARK_SKEW
    assert before - skew - timedelta(seconds=1) <= watermark <= before - skew + timedelta(seconds=5)


def test_an_inactive_quickbooks_customer_is_soft_deleted_and_restored_when_active_again(
        api: Verbs, connected: FakeQbo) -> None:
    run()
    connected.put("3", Active=False)
    result = run()
    assert result["counts"]["deactivated"] == 1
    cool_cars = customer(api, "3")
    assert cool_cars["isActive"] is False and cool_cars["deletedAt"]
    assert run(full=True)["counts"]["deactivated"] == 0  # already deleted: nothing to do
    connected.put("3", Active=True, Notes="Back in business")
    assert run()["counts"]["updated"] == 1
    cool_cars = customer(api, "3")
    assert (cool_cars["isActive"], cool_cars["deletedAt"], cool_cars["notes"]) == (True, None, "Back in business")


def test_a_customer_inactive_from_the_start_is_created_soft_deleted(api: Verbs, connected: FakeQbo) -> None:
    connected.put("7", CompanyName="Old Client", Active=False)
    run()
    old = customer(api, "7")
    assert old["isActive"] is False and old["companyName"] == "Old Client"


# ----------------------------------------------------------------------------- rate limits and failures


def test_a_429_with_retry_after_is_retried_after_the_delay(api: Verbs, connected: FakeQbo) -> None:
    connected.fail_next.append((429, {"Retry-After": "1"}))
    result = run()
    assert result["status"] == "completed_with_errors" and result["counts"]["created"] == 5
    first, second = connected.api_requests("/query")
    assert first.params == second.params
    assert second.at - first.at >= 0.95


def test_quickbooks_still_failing_after_the_retries_fails_the_run_and_keeps_the_watermark(
        api: Verbs, connected: FakeQbo, monkeypatch: pytest.MonkeyPatch) -> None:
    run()
    watermark = sync_state()["changedSince"]
    monkeypatch.setenv("QBO_MAX_ATTEMPTS", "3")
    quickbooks.reset()
    connected.fail_next.extend([(503, {}), (500, {}), (429, {"Retry-After": "0"})])
    connected.put("2", CompanyName="Never Arrives")
    with pytest.raises(QboUnavailable):
        run()
    assert len(connected.api_requests("/cdc")) == 3
    state = sync_store.get_state("acme")
    assert state is not None
    assert (state["status"], state["changedSince"]) == ("failed", watermark)
    assert customer(api, "2")["companyName"] == "Bill's Windsurf Shop"
    assert run()["counts"]["updated"] == 1  # the next run picks the change up from the old watermark


def test_requests_to_one_company_stay_under_its_rate_limit() -> None:
    clock = {"now": 0.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock["now"] += seconds

    bucket = quickbooks.TokenBucket(480 / 60, 10, clock=lambda: clock["now"], sleep=sleep)
    for _ in range(490):
        bucket.take()
    assert clock["now"] == pytest.approx(60.0)  # 10 at once, then 8 a second
    assert len(slept) == 480


# ----------------------------------------------------------------------------- watermark age


def test_a_watermark_older_than_30_days_triggers_a_full_resync(api: Verbs, connected: FakeQbo) -> None:
    run()
    stale = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds")
    sync_store.update_state("acme", {"changedSince": stale})
    connected.put("4", FamilyName="Rodríguez")
    requests_before = len(connected.api_requests("/query"))
    result = run()
    assert result["mode"] == "full"
    assert not connected.api_requests("/cdc")
    assert len(connected.api_requests("/query")) == requests_before + 1
    assert customer(api, "4")["lastName"] == "Rodríguez"
    assert result["counts"]["updated"] == 1 and result["counts"]["unchanged"] == 4


def test_a_watermark_within_30_days_uses_cdc(api: Verbs, connected: FakeQbo) -> None:
    run()
    sync_store.update_state("acme", {"changedSince": (datetime.now(UTC) - timedelta(days=20)).isoformat()})
    assert run()["mode"] == "cdc"


# ----------------------------------------------------------------------------- tokens


def test_the_rotated_refresh_token_is_stored_back(api: Verbs, connected: FakeQbo) -> None:
    run()
    tokens = _stored_tokens()
    assert (tokens["refresh_token"], tokens["access_token"]) == ("rt-2", "at-2")
    assert connected.refresh_token == "rt-2"  # the one QuickBooks now accepts
    assert tokens["expires_at"] > datetime.now(UTC).timestamp() + 3000
    assert (tokens["client_id"], tokens["client_secret"]) == (CLIENT_ID, CLIENT_SECRET)
    run()
    assert connected.token_grants == 1  # the stored access token is still good: no refresh


def test_a_401_refreshes_the_access_token_once_and_retries(api: Verbs, connected: FakeQbo) -> None:
    run()
    connected.revoke_access_tokens()
    connected.put("1", Notes="Changed")
    result = run()
    assert result["counts"]["updated"] == 1
    assert connected.token_grants == 2
    assert _stored_tokens()["refresh_token"] == "rt-3"


def test_a_refused_refresh_token_fails_the_run_asking_for_a_reconnect(api: Verbs, qbo: FakeQbo, bus: Watch) -> None:
    _connect(api)
    _store_tokens(refresh_token="revoked")
    result = run()
    assert (result["status"], result["detail"]) == ("failed", "reconnect")
    assert not qbo.api_requests()
    assert sync_state()["status"] == "failed"


# ----------------------------------------------------------------------------- one run per org


def test_a_run_that_finds_the_lease_held_exits_without_syncing(api: Verbs, connected: FakeQbo) -> None:
    assert sync_store.acquire_lease("acme", "another-run", 900)
    result = run()
    assert result["status"] == "locked"
    assert not connected.requests
    assert remote_ids.customer_id_for("acme", "1") is None
    assert _stored_tokens()["refresh_token"] == "rt-1"


def test_an_expired_lease_is_taken_over(api: Verbs, connected: FakeQbo) -> None:
    assert sync_store.acquire_lease("acme", "crashed-run", -5)
    assert run()["counts"]["created"] == 5


def test_the_lease_is_released_when_the_run_ends(api: Verbs, connected: FakeQbo) -> None:
    run()
    assert sync_store.acquire_lease("acme", "next-run", 900)


def test_the_outcome_is_written_in_the_same_transaction_that_releases_the_lease(
        api: Verbs, connected: FakeQbo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written apart, a poller between the two writes read ``failed`` or ``completed`` with ``running: true``."""
    separate_releases: list[str] = []
    monkeypatch.setattr(sync_store, "release_lease", lambda org, owner: separate_releases.append(owner))
    assert run()["status"] == "completed_with_errors"
    progress = api.get("/integrations/quickbooks/sync").body
    assert (progress["status"], progress["running"]) == ("completed_with_errors", False)
    assert separate_releases == []


def test_a_run_whose_lease_was_taken_over_still_records_its_outcome_and_leaves_the_new_lease(
        api: Verbs, connected: FakeQbo, monkeypatch: pytest.MonkeyPatch) -> None:
    fetch = quickbooks_sync._Run._fetch

    def fetch_then_lose_the_lease(self: Any, *args: Any) -> bool:
        finished: bool = fetch(self, *args)
        sync_store.release_lease("acme", self.owner)
        assert sync_store.acquire_lease("acme", "the-next-run", 900)
        return finished

    monkeypatch.setattr(quickbooks_sync._Run, "_fetch", fetch_then_lose_the_lease)
    assert run()["status"] == "completed_with_errors"
    progress = api.get("/integrations/quickbooks/sync").body
    assert (progress["status"], progress["running"]) == ("completed_with_errors", True)
    assert not sync_store.acquire_lease("acme", "a-third-run", 900)


# ----------------------------------------------------------------------------- triggers


def test_the_webhook_event_syncs_only_the_named_customers(api: Verbs, connected: FakeQbo, bus: Watch) -> None:
    payload = json.dumps({"eventNotifications": [{"realmId": REALM, "dataChangeEvent": {"entities": [
        {"name": "Customer", "id": "2", "operation": "Update", "lastUpdated": "2026-01-01T00:00:00Z"},
        {"name": "Customer", "id": "4", "operation": "Create", "lastUpdated": "2026-01-01T00:00:00Z"},
    ]}}]})
    reply = api.call("POST", "/integrations/quickbooks/webhook", org=None, raw_body=payload,
                     headers={"content-type": "application/json",
                              "intuit-signature": signature_of(payload.encode(), b"local-verifier-token")})
    assert reply.status == 200
    [event] = bus()
    assert event["detail-type"] == quickbooks_sync.CUSTOMERS_CHANGED
    result = qbo_job(event, LambdaContext(timeout_seconds=900))
    assert (result["mode"], result["counts"]["created"], result["counts"]["fetched"]) == ("ids", 2, 2)
    [query] = connected.api_requests("/query")
    assert "Id in ('2', '4')" in query.params["query"]
    assert not connected.api_requests("/cdc")
    assert {remote_id for remote_id in GOOD_IDS if remote_ids.customer_id_for("acme", remote_id)} == {"2", "4"}
    assert "changedSince" not in (sync_store.get_state("acme") or {})  # the next scheduled run is still a full one


def test_the_schedule_requests_a_sync_for_every_org_with_the_integration_on(
        api: Verbs, connected: FakeQbo, bus: Watch) -> None:
    _connect(api, org="globex", realm="111", enabled=False)  # connected but switched off
    _connect(api, org="initech", realm="222")
    _connect(api, org="umbrella", realm="333")
    _settings(api, "umbrella", customerIntegrationEnabled=False)  # switched off again
    result = qbo_job({"version": "0", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}},
                     LambdaContext())
    assert result == {"requested": 2}
    requested = bus()
    assert {(event["detail-type"], event["detail"]["org"], event["detail"]["realmId"]) for event in requested} == {
        (quickbooks_sync.SYNC_REQUESTED, "acme", REALM), (quickbooks_sync.SYNC_REQUESTED, "initech", "222")}
    acme = next(event for event in requested if event["detail"]["org"] == "acme")
    assert qbo_job(acme, LambdaContext(timeout_seconds=900))["counts"]["created"] == 5


def test_a_sync_requested_through_the_api_runs_and_its_progress_reads_completed_with_counts(
        api: Verbs, connected: FakeQbo, bus: Watch) -> None:
    assert api.get("/integrations/quickbooks/sync").body["status"] == "never_run"
    reply = api.post("/integrations/quickbooks/sync", {"full": True})
    assert reply.status == 202, reply.body
    [requested] = bus()
    assert requested["detail"] == {"org": "acme", "realmId": REALM, "full": True}
    started = datetime.now(UTC) - timedelta(seconds=1)
    assert qbo_job(requested, LambdaContext(timeout_seconds=900))["status"] == "completed_with_errors"
    progress = api.get(reply.headers["Location"]).body
    assert (progress["status"], progress["mode"], progress["running"]) == ("completed_with_errors", "full", False)
    assert progress["counts"] == {"fetched": 6, "created": 5, "updated": 0, "unchanged": 0, "deactivated": 0,
                                  "failed": 1}
    assert [error["remoteId"] for error in progress["errors"]] == ["6"]
    assert datetime.fromisoformat(progress["lastRunAt"]) >= started.replace(microsecond=0)
    assert progress["lastSuccessAt"] >= progress["lastRunAt"] > progress["changedSince"]
    assert progress["integrationEnabled"] is True and progress["error"] is None


def test_a_second_request_while_a_run_holds_the_lease_fetches_nothing(api: Verbs, connected: FakeQbo, bus: Watch) -> None:
    assert api.post("/integrations/quickbooks/sync").status == 202
    assert api.post("/integrations/quickbooks/sync").status == 202
    first, second = bus()
    assert sync_store.acquire_lease("acme", "the-first-run", 900)  # the first request's run, still going
    assert qbo_job(second, LambdaContext(timeout_seconds=900))["status"] == "locked"
    assert not connected.requests
    assert api.get("/integrations/quickbooks/sync").body["running"] is True
    sync_store.release_lease("acme", "the-first-run")
    assert qbo_job(first, LambdaContext(timeout_seconds=900))["counts"]["created"] == 5


def test_a_full_resync_asked_for_while_a_run_holds_the_lease_is_remembered_for_the_next_run(
        api: Verbs, connected: FakeQbo) -> None:
    run()  # the first run: full, and a watermark from then on
    assert sync_store.acquire_lease("acme", "a-cdc-run", 900)
    assert run(full=True) == {"processed": True, "org": "acme", "status": "locked", "mode": None,
                              "counts": {"fetched": 0, "created": 0, "updated": 0, "unchanged": 0, "deactivated": 0,
                                         "failed": 0}, "detail": "full_resync_follows"}
    assert api.get("/integrations/quickbooks/sync").body["fullResyncRequested"] is True
    sync_store.release_lease("acme", "a-cdc-run")  # as if that run had crashed before it could hand over
    assert run()["mode"] == "full"  # a plain scheduled request, answered in full
    assert api.get("/integrations/quickbooks/sync").body["fullResyncRequested"] is False
    assert run()["mode"] == "cdc"


def test_a_full_resync_asked_for_during_a_cdc_run_follows_when_that_run_ends(
        api: Verbs, connected: FakeQbo, bus: Watch, monkeypatch: pytest.MonkeyPatch) -> None:
    run()
    bus()
    fetch = quickbooks_sync._Run._fetch
    asked_meanwhile: list[dict[str, Any]] = []

    def fetch_while_a_full_resync_is_asked_for(self: Any, *args: Any) -> bool:
        asked_meanwhile.append(run(full=True))  # another invocation, answered "locked"
        finished: bool = fetch(self, *args)
        return finished

    monkeypatch.setattr(quickbooks_sync._Run, "_fetch", fetch_while_a_full_resync_is_asked_for)
    assert run()["mode"] == "cdc"
    monkeypatch.setattr(quickbooks_sync._Run, "_fetch", fetch)
    assert [outcome["detail"] for outcome in asked_meanwhile] == ["full_resync_follows"]
    follow_up, = bus()
    assert (follow_up["detail-type"], follow_up["detail"]) == (
        quickbooks_sync.SYNC_REQUESTED, {"org": "acme", "realmId": REALM, "full": True})
    assert qbo_job(follow_up, LambdaContext(timeout_seconds=900))["mode"] == "full"
    assert api.get("/integrations/quickbooks/sync").body["fullResyncRequested"] is False
    assert bus() == []


def test_a_full_resync_running_already_answers_a_full_resync_asked_for_during_it(
        api: Verbs, connected: FakeQbo, bus: Watch, monkeypatch: pytest.MonkeyPatch) -> None:
    fetch = quickbooks_sync._Run._fetch

    def fetch_while_a_full_resync_is_asked_for(self: Any, *args: Any) -> bool:
        monkeypatch.setattr(quickbooks_sync._Run, "_fetch", fetch)
        run(full=True)
        finished: bool = fetch(self, *args)
        return finished

    monkeypatch.setattr(quickbooks_sync._Run, "_fetch", fetch_while_a_full_resync_is_asked_for)
    assert run()["mode"] == "full"  # the first run is a full resync
    assert bus() == []
    assert api.get("/integrations/quickbooks/sync").body["fullResyncRequested"] is False


def test_a_request_for_an_org_whose_integration_is_off_does_nothing(api: Verbs, connected: FakeQbo) -> None:
    _settings(api, customerIntegrationEnabled=False)
    assert run()["status"] == "skipped"
    assert not connected.requests


def test_an_event_naming_a_realm_the_org_no_longer_uses_is_skipped(api: Verbs, connected: FakeQbo) -> None:
    assert run(realmId="999")["detail"] == "realm_changed"
    assert not connected.requests


class _ShortContext:
    """A Lambda context whose invocation is about to time out after the first page."""

    def __init__(self) -> None:
        self.calls = 0

    def get_remaining_time_in_millis(self) -> int:
        self.calls += 1
        return 1_000


def test_a_full_resync_short_of_time_continues_in_another_invocation(
        api: Verbs, connected: FakeQbo, bus: Watch, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QBO_PAGE_SIZE", "2")
    started = datetime.now(UTC)
    first = run(context=_ShortContext())
    assert (first["status"], first["counts"]["fetched"]) == ("continuing", 2)
    state = sync_store.get_state("acme")
    assert state is not None and state["resume"]["position"] == 3 and "changedSince" not in state
    [continuation] = bus()
    assert continuation["detail"] == {"org": "acme", "realmId": REALM}
    done = qbo_job(continuation, LambdaContext(timeout_seconds=900))
    assert (done["status"], done["mode"]) == ("completed_with_errors", "full")
    assert done["counts"]["created"] == 5 and done["counts"]["fetched"] == 6  # counted over both invocations
    starts = [seen.params["query"].split("STARTPOSITION ")[1] for seen in connected.api_requests("/query")]
    # 6 customers, pages of 2: the empty 4th page ends it (a query answer carries no total count)
    assert starts == ["1 MAXRESULTS 2", "3 MAXRESULTS 2", "5 MAXRESULTS 2", "7 MAXRESULTS 2"]
    state = sync_store.get_state("acme")
    assert state is not None and "resume" not in state
    watermark = datetime.fromisoformat(state["changedSince"])
    assert watermark <= started - quickbooks_sync.WATERMARK_SKEW + timedelta(seconds=1)


# ----------------------------------------------------------------------------- as Intuit really sends it
# (issue 16; the shapes and their sources are in tests/jobs/qbo_fixtures.py)


def _signed_webhook(api: Verbs, payload: Any) -> None:
    raw = json.dumps(payload)
    reply = api.call("POST", "/integrations/quickbooks/webhook", org=None, raw_body=raw,
                     headers={"content-type": "application/json",
                              "intuit-signature": signature_of(raw.encode(), b"local-verifier-token")})
    assert reply.status == 200, reply.body


def _deliver(bus: Watch) -> list[dict[str, Any]]:
    """Hand every queued webhook event to the job, as the bus would."""
    return [qbo_job(event, LambdaContext(timeout_seconds=900)) for event in bus()]


def test_a_fault_inside_a_cdc_query_response_fails_the_run_shows_the_fault_and_keeps_the_watermark(
        api: Verbs, connected: FakeQbo) -> None:
    run()
    watermark = sync_state()["changedSince"]
    connected.put("2", CompanyName="Lost In The Window")
    connected.faults.append(QUERY_RESPONSE_FAULT)
    result = run()
    assert (result["status"], result["detail"]) == ("failed", "quickbooks_error")
    progress = api.get("/integrations/quickbooks/sync").body
    assert progress["status"] == "failed" and progress["changedSince"] == watermark
    assert "SystemFault" in progress["error"] and "Could not retrieve the entity changes" in progress["error"]
    assert customer(api, "2")["companyName"] == "Bill's Windsurf Shop"
    assert run()["counts"]["updated"] == 1  # the next run asks from the same watermark and gets the change


def test_a_fault_inside_a_query_response_fails_a_full_resync(api: Verbs, connected: FakeQbo) -> None:
    connected.faults.append(QUERY_RESPONSE_FAULT)
    result = run()
    assert (result["status"], result["mode"]) == ("failed", "full")
    state = sync_store.get_state("acme")
    assert state is not None and "changedSince" not in state
    assert remote_ids.customer_id_for("acme", "1") is None


def test_a_403_throttle_exceeded_xml_answer_is_retried_like_a_429(api: Verbs, connected: FakeQbo) -> None:
    connected.fail_next.append((403, {}, THROTTLE_403_XML))
    result = run()
    assert result["status"] == "completed_with_errors" and result["counts"]["created"] == 5
    assert len(connected.api_requests("/query")) == 2


def test_a_403_that_is_not_throttling_still_fails_the_run(api: Verbs, connected: FakeQbo) -> None:
    forbidden = json.dumps({"Fault": {"Error": [{"Message": "message=AuthorizationFailure; errorCode=003100",
                                                 "code": "3100"}], "type": "AUTHORIZATION"}}).encode()
    connected.fail_next.append((403, {}, forbidden))
    assert (run()["status"], len(connected.api_requests("/query"))) == ("failed", 1)


def test_the_refresh_token_expiry_is_kept_and_shown_by_the_sync_status(api: Verbs, connected: FakeQbo) -> None:
    before = datetime.now(UTC)
    run()
    kept = datetime.fromtimestamp(_stored_tokens()["refresh_expires_at"], UTC)
    assert before + timedelta(seconds=8_726_400 - 5) <= kept <= datetime.now(UTC) + timedelta(seconds=8_726_400)
    progress = api.get("/integrations/quickbooks/sync").body
    assert datetime.fromisoformat(progress["refreshTokenExpiresAt"]) == kept.replace(microsecond=0)
    assert progress["warnings"] == []


def test_a_refresh_token_that_dies_within_14_days_is_warned_about_after_the_run(
        api: Verbs, connected: FakeQbo) -> None:
    connected.refresh_token_lifetime = 10 * 86_400
    run()
    warnings = api.get("/integrations/quickbooks/sync").body["warnings"]
    assert [warning["remoteId"] for warning in warnings] == [None]
    assert "reconnect" in warnings[0]["message"]


def test_an_id_the_query_does_not_return_is_reported_in_the_runs_errors(
        api: Verbs, connected: FakeQbo, bus: Watch) -> None:
    _signed_webhook(api, classic_notification(REALM, classic_customer("2", "Update"),
                                              classic_customer("404", "Update")))
    [result] = _deliver(bus)
    assert (result["status"], result["counts"]["created"]) == ("completed_with_errors", 1)
    errors = api.get("/integrations/quickbooks/sync").body["errors"]
    assert [error["remoteId"] for error in errors] == ["404"]
    assert "did not return" in errors[0]["message"]


@pytest.mark.parametrize("notification", [
    pytest.param(lambda: classic_notification(REALM, classic_customer("3", "Delete")), id="classic"),
    pytest.param(lambda: [cloud_event(REALM, "3", "deleted")], id="cloudevents"),
])
def test_a_delete_notification_soft_deletes_the_customer_without_calling_quickbooks(
        api: Verbs, connected: FakeQbo, bus: Watch, notification: Callable[[], Any]) -> None:
    run()
    calls = len(connected.requests)
    _signed_webhook(api, notification())
    [result] = _deliver(bus)
    assert (result["mode"], result["counts"]["deactivated"]) == ("ids", 1)
    cool_cars = customer(api, "3")
    assert cool_cars["isActive"] is False and cool_cars["deletedAt"]
    assert len(connected.requests) == calls  # not even a token refresh


def test_a_customer_deleted_in_quickbooks_comes_back_from_cdc_and_is_soft_deleted(
        api: Verbs, connected: FakeQbo) -> None:
    run()
    connected.delete("4")
    result = run()
    assert (result["mode"], result["counts"]["deactivated"]) == ("cdc", 1)
    assert customer(api, "4")["deletedAt"]


@pytest.mark.parametrize("notification", [
    pytest.param(lambda: classic_notification(REALM, classic_customer("1", "Merge", deleted_id="4")), id="classic"),
    pytest.param(lambda: [cloud_merge(REALM, survivor="1", deleted="4")], id="cloudevents"),
])
def test_a_merge_notification_is_recorded_as_a_pending_merge_and_the_survivor_synced(
        api: Verbs, connected: FakeQbo, bus: Watch, notification: Callable[[], Any]) -> None:
    run()
    connected.merge("1", "4")
    _signed_webhook(api, notification())
    progress = api.get("/integrations/quickbooks/sync").body
    assert [(merge["deletedId"], merge["survivorId"]) for merge in progress["pendingMerges"]] == [("4", "1")]
    [result] = _deliver(bus)
    assert result["mode"] == "ids"
    assert "Id in ('1')" in connected.api_requests("/query")[-1].params["query"]
    assert api.get("/integrations/quickbooks/sync").body["pendingMerges"][0]["deletedId"] == "4"  # still pending


def _subcustomers(qbo: FakeQbo) -> None:
    """Intuit's sandbox sub-customers 58 and 59, both "Test Project", under 1 and 60 — the child 58
    comes before its parent 60 in QuickBooks' answer."""
    qbo.put("58", updated=LONG_AGO, **sub_customer("58", "60", "Jeff's Jalopies"))
    qbo.put("59", updated=LONG_AGO, **sub_customer("59", "1", "Amy's Bird Sanctuary", bill_with_parent=False))
    qbo.put("60", updated=LONG_AGO, CompanyName="Jeff's Jalopies", GivenName="Jeff", FamilyName="Chin")


def test_sub_customers_get_the_local_parent_whatever_order_quickbooks_answers_in(
        api: Verbs, connected: FakeQbo) -> None:
    _subcustomers(connected)
    result = run()
    assert result["counts"]["fetched"] == 9 and result["counts"]["created"] == 8
    jeff, amy = customer(api, "60"), customer(api, "1")
    assert customer(api, "58")["parentCustomerId"] == jeff["id"]
    assert customer(api, "59")["parentCustomerId"] == amy["id"]
    assert (customer(api, "58")["billWithParent"], customer(api, "59")["billWithParent"]) == (True, False)
    assert run(full=True)["counts"]["unchanged"] == 8  # a re-run changes nothing


def test_a_sub_customer_named_alone_by_the_webhook_fetches_its_missing_parent(
        api: Verbs, connected: FakeQbo, bus: Watch) -> None:
    _subcustomers(connected)
    _signed_webhook(api, classic_notification(REALM, classic_customer("58", "Create")))
    [result] = _deliver(bus)
    assert (result["counts"]["created"], result["counts"]["failed"]) == (2, 0)
    assert customer(api, "58")["parentCustomerId"] == customer(api, "60")["id"]


def test_a_parent_link_the_type_forbids_is_left_out_and_recorded_as_an_error(
        api: Verbs, connected: FakeQbo) -> None:
    first_type = api.get("/customer-types").body["items"][0]  # the type the sync gives new customers
    reply = api.patch(f"/customer-types/{first_type['id']}", {"hierarchyRole": "purchaser"},
                      headers={"If-Match": f'"{first_type["version"]}"'})
    assert reply.status == 200, reply.body
    _subcustomers(connected)
    result = run()
    assert result["status"] == "completed_with_errors"
    assert customer(api, "58")["parentCustomerId"] is None and customer(api, "58")["displayName"] == "Test Project"
    assert customer(api, "58")["billWithParent"] is False
    errors = {error["remoteId"]: error["message"] for error in api.get("/integrations/quickbooks/sync").body["errors"]}
    assert errors["58"].startswith("parentCustomerId:") and errors["59"].startswith("parentCustomerId:")


@pytest.mark.parametrize("country", SAMPLE_COUNTRIES)
def test_country_names_and_alpha_3_codes_from_quickbooks_become_alpha_2(country: str) -> None:
    document = quickbooks_sync.customer_document({"Id": "9", "CompanyName": "Cross Border",
                                                  "BillAddr": {"City": "Somewhere", "Country": country}})
    assert document["billingAddress"]["country"] in ("US", "GB")


def test_a_country_that_names_no_country_is_left_out_with_a_run_warning(api: Verbs, connected: FakeQbo) -> None:
    connected.put("7", CompanyName="Lost City Traders", BillAddr={"City": "Poseidonia", "Country": "Atlantis"})
    assert run()["counts"]["created"] == 6
    assert customer(api, "7")["billingAddress"]["country"] is None
    warnings = api.get("/integrations/quickbooks/sync").body["warnings"]
    assert [(warning["remoteId"], "Atlantis" in warning["message"]) for warning in warnings] == [("7", True)]


def test_mobile_alternate_phone_and_fax_join_the_phones() -> None:
    document = quickbooks_sync.customer_document({
        "Id": "9", "CompanyName": "Many Lines", "PrimaryPhone": {"FreeFormNumber": "(650) 555-0100"},
        "Mobile": {"FreeFormNumber": "(650) 555-0101"}, "AlternatePhone": {"FreeFormNumber": "(650) 555-0102"},
        "Fax": {"FreeFormNumber": "(650) 555-0103"}})
    assert document["phones"] == ["(650) 555-0100", "(650) 555-0101", "(650) 555-0102", "(650) 555-0103"]


def test_times_from_quickbooks_carry_the_company_offset(connected: FakeQbo) -> None:
    assert connected.customers["1"]["MetaData"]["LastUpdatedTime"].endswith("-07:00")
