"""GET and POST /integrations/quickbooks/sync: the sync job's progress for its users, and a sync on demand.

The state after a real run against the fake QuickBooks (POST → job → GET) is in tests/jobs/test_qbo_sync.py;
here the state is written through the store functions the job itself uses.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clientele.services import quickbooks_sync
from clientele.store import quickbooks_sync as sync_store
from tests.bus import Watch, watch

from .parts import assert_problem, counted

pytestmark = pytest.mark.over_http

PATH = "/integrations/quickbooks/sync"


def _realm() -> str:
    """A realm id of this test's own (realm ids are unique across every org of the table)."""
    return f"r{uuid.uuid4().hex[:12]}"


def _settings(api: Any, org: str = "acme", **changes: Any) -> None:
    current = api.get("/settings", org=org)
    reply = api.put("/settings", {**current.body, **changes}, org=org, headers={"If-Match": current.etag})
    assert reply.status == 200, reply.body


def _connect(api: Any, org: str = "acme", realm: str | None = None, enabled: bool = True) -> str:
    realm = realm or _realm()
    _settings(api, org, customerIntegrationEnabled=enabled, integrationProvider="quickbooks", quickbooksRealmId=realm)
    return realm


@pytest.fixture
def bus(table: str) -> Watch:
    """Every clientele.quickbooks event put on the project's bus."""
    return watch(quickbooks_sync.EVENT_SOURCE)


# ----------------------------------------------------------------------------- GET


def test_a_sync_that_never_ran_reads_never_run(api: Any) -> None:
    reply = api.get(PATH)
    assert reply.status == 200, reply.body
    assert reply.body == {"status": "never_run", "running": False, "mode": None, "changedSince": None,
                          "lastRunAt": None, "lastSuccessAt": None, "counts": None, "errors": [], "warnings": [],
                          "refreshTokenExpiresAt": None, "pendingMerges": [], "error": None,
                          "fullResyncRequested": False, "integrationEnabled": False}


def test_integration_enabled_follows_the_settings(api: Any) -> None:
    _connect(api)
    assert api.get(PATH).body["integrationEnabled"] is True
    _settings(api, customerIntegrationEnabled=False)
    assert api.get(PATH).body["integrationEnabled"] is False


def test_integration_enabled_needs_a_realm_id(api: Any) -> None:
    _settings(api, customerIntegrationEnabled=True, integrationProvider="quickbooks")
    assert api.get(PATH).body["integrationEnabled"] is False


def test_the_integration_account_may_read_the_sync(api: Any) -> None:
    assert api.get(PATH, role="integration").status == 200


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_may_not_read_the_sync(api: Any, role: str) -> None:
    reply = api.get(PATH, role=role)
    assert reply.status == 403
    assert reply.body["code"] == "forbidden"


@pytest.mark.in_process  # the state is written in this process's table
def test_get_reports_the_state_the_job_stored(api: Any) -> None:
    counts = {"fetched": 6, "created": 5, "updated": 0, "unchanged": 0, "deactivated": 0, "failed": 1}
    errors = [{"remoteId": "6", "message": "emails: not an email address"}]
    sync_store.update_state("acme", {"realmId": "9130350", "status": "completed_with_errors", "mode": "full",
                                     "lastRunAt": "2026-12-01T08:00:00Z", "lastSuccessAt": "2026-12-01T08:00:04Z",
                                     "changedSince": "2026-12-01T07:58:00Z", "counts": counts, "errors": errors})
    reply = api.get(PATH)
    assert reply.status == 200, reply.body
    assert reply.body == {"status": "completed_with_errors", "running": False, "mode": "full",
                          "changedSince": "2026-12-01T07:58:00Z", "lastRunAt": "2026-12-01T08:00:00Z",
                          "lastSuccessAt": "2026-12-01T08:00:04Z", "counts": counts, "errors": errors,
                          "warnings": [], "refreshTokenExpiresAt": None, "pendingMerges": [],
                          "error": None, "fullResyncRequested": False,
                          "integrationEnabled": False}


@pytest.mark.in_process
def test_the_refresh_token_expiry_is_shown_without_a_warning_while_far_off(api: Any) -> None:
    far = (datetime.now(UTC) + timedelta(days=60)).isoformat(timespec="seconds")
    sync_store.update_state("acme", {"status": "completed", "refreshTokenExpiresAt": far})
    body = api.get(PATH).body
    assert (body["refreshTokenExpiresAt"], body["warnings"]) == (far, [])


@pytest.mark.in_process
def test_a_refresh_token_expiring_within_14_days_is_warned_about(api: Any) -> None:
    soon = (datetime.now(UTC) + timedelta(days=13)).isoformat(timespec="seconds")
    sync_store.update_state("acme", {"status": "completed", "refreshTokenExpiresAt": soon})
    [warning] = api.get(PATH).body["warnings"]
    assert warning["remoteId"] is None
    assert "refresh token expires" in warning["message"] and "reconnect" in warning["message"]


@pytest.mark.in_process
def test_an_expired_refresh_token_is_warned_about(api: Any) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")
    sync_store.update_state("acme", {"status": "failed", "refreshTokenExpiresAt": past})
    [warning] = api.get(PATH).body["warnings"]
    assert "expired" in warning["message"]


@pytest.mark.in_process
def test_pending_merges_are_shown_once_per_merged_away_customer(api: Any) -> None:
    sync_store.record_merges("acme", [{"deletedId": "27", "survivorId": "123", "receivedAt": "2026-12-01T08:00:00Z"}])
    sync_store.record_merges("acme", [{"deletedId": "27", "survivorId": "123", "receivedAt": "2026-12-01T08:00:09Z"}])
    sync_store.record_merges("acme", [{"deletedId": "31", "survivorId": "123", "receivedAt": "2026-12-01T08:01:00Z"}])
    assert api.get(PATH).body["pendingMerges"] == [
        {"deletedId": "27", "survivorId": "123", "receivedAt": "2026-12-01T08:00:09Z"},
        {"deletedId": "31", "survivorId": "123", "receivedAt": "2026-12-01T08:01:00Z"}]


@pytest.mark.in_process
def test_a_failed_run_reports_why(api: Any) -> None:
    sync_store.update_state("acme", {"status": "failed", "mode": "cdc", "lastRunAt": "2026-12-01T08:00:00Z",
                                     "error": "Intuit refused the refresh token", "counts": {"fetched": 0}})
    body = api.get(PATH).body
    assert (body["status"], body["error"], body["lastSuccessAt"]) == ("failed", "Intuit refused the refresh token",
                                                                       None)
    assert body["counts"] == {"fetched": 0, "created": 0, "updated": 0, "unchanged": 0, "deactivated": 0,
                              "failed": 0}


@pytest.mark.in_process
def test_running_is_true_while_a_run_holds_the_lease(api: Any) -> None:
    sync_store.update_state("acme", {"status": "running", "mode": "cdc", "lastRunAt": "2026-12-01T08:00:00Z"})
    assert sync_store.acquire_lease("acme", "a-run", 900)
    body = api.get(PATH).body
    assert (body["status"], body["running"]) == ("running", True)
    sync_store.release_lease("acme", "a-run")
    assert api.get(PATH).body["running"] is False


@pytest.mark.in_process
def test_a_full_resync_asked_for_during_a_run_reads_as_requested(api: Any) -> None:
    sync_store.request_full("acme")
    assert api.get(PATH).body["fullResyncRequested"] is True


@pytest.mark.in_process
def test_a_run_that_ended_without_recording_its_outcome_reads_interrupted(api: Any) -> None:
    sync_store.update_state("acme", {"status": "running", "mode": "cdc", "lastRunAt": "2026-12-01T08:00:00Z"})
    assert sync_store.acquire_lease("acme", "killed-run", -5)  # its lease expired, nothing released it
    body = api.get(PATH).body
    assert (body["status"], body["running"], body["mode"]) == ("interrupted", False, "cdc")
    assert "stopped before it finished" in body["error"]


@pytest.mark.in_process
def test_an_expired_lease_is_not_running(api: Any) -> None:
    assert sync_store.acquire_lease("acme", "crashed-run", -5)
    assert api.get(PATH).body["running"] is False


@pytest.mark.in_process
def test_another_orgs_lease_does_not_make_this_sync_run(api: Any) -> None:
    assert sync_store.acquire_lease("globex", "their-run", 900)
    assert api.get(PATH, org="globex").body["running"] is True
    assert api.get(PATH).body["running"] is False


@pytest.mark.in_process  # counts this process's DynamoDB calls
def test_get_is_one_dynamodb_call(api: Any) -> None:
    sync_store.update_state("acme", {"status": "completed", "counts": {"fetched": 1}})
    assert sync_store.acquire_lease("acme", "a-run", 900)
    api.get(PATH)  # warm: the org is provisioned and its catalog cached
    reply, calls = counted(lambda: api.get(PATH))
    assert reply.status == 200 and reply.body["running"] is True
    assert calls == ["Query"]


# ----------------------------------------------------------------------------- POST


def test_a_request_puts_one_sync_requested_event_on_the_bus(api: Any, bus: Callable[[], list[dict[str, Any]]]) -> None:
    realm = _connect(api)
    reply = api.post(PATH)
    assert reply.status == 202, reply.body
    assert reply.body == {"status": "requested"}
    assert reply.headers["Location"] == PATH
    (event,) = bus()
    assert (event["source"], event["detail-type"]) == (quickbooks_sync.EVENT_SOURCE, quickbooks_sync.SYNC_REQUESTED)
    assert event["detail"] == {"org": "acme", "realmId": realm, "full": False}


def test_full_true_asks_for_a_full_resync(api: Any, bus: Callable[[], list[dict[str, Any]]]) -> None:
    _connect(api)
    assert api.post(PATH, {"full": True}).status == 202
    assert [event["detail"]["full"] for event in bus()] == [True]


def test_an_empty_object_is_a_changes_only_sync(api: Any, bus: Callable[[], list[dict[str, Any]]]) -> None:
    _connect(api)
    assert api.post(PATH, {}).status == 202
    assert [event["detail"]["full"] for event in bus()] == [False]


def test_an_unknown_body_field_is_422_and_requests_nothing(api: Any, bus: Callable[[], list[dict[str, Any]]]) -> None:
    _connect(api)
    reply = api.post(PATH, {"full": True, "since": "2026-01-01"})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["since"]
    assert bus() == []


def test_full_must_be_a_boolean(api: Any) -> None:
    reply = api.post(PATH, {"full": "yes"})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["full"]


@pytest.mark.parametrize("settings", [
    {},  # the defaults: integration off
    {"customerIntegrationEnabled": True},  # no provider, no realm
    {"customerIntegrationEnabled": True, "integrationProvider": "quickbooks"},  # no realm
    {"customerIntegrationEnabled": False, "integrationProvider": "quickbooks", "quickbooksRealmId": "realm"},
], ids=["defaults", "enabled-without-provider", "enabled-without-realm", "connected-but-off"])
def test_a_request_while_the_integration_is_off_is_409_integration_disabled(api: Any, settings: dict[str, Any]) -> None:
    if settings:
        _settings(api, **{**settings, **({"quickbooksRealmId": _realm()} if "quickbooksRealmId" in settings else {})})
    reply = api.post(PATH, {"full": True})
    assert reply.status == 409
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.body["code"] == "integration_disabled"
    assert "customerIntegrationEnabled" in reply.body["detail"] and "quickbooksRealmId" in reply.body["detail"]


@pytest.mark.parametrize("role", ["editor", "viewer", "integration"])
def test_only_an_admin_may_request_a_sync(api: Any, role: str) -> None:
    _connect(api)
    reply = api.post(PATH, role=role)
    assert reply.status == 403
    assert reply.body["code"] == "forbidden"


def test_a_request_names_the_realm_the_settings_hold_now(api: Any, bus: Callable[[], list[dict[str, Any]]]) -> None:
    _connect(api)
    moved = _connect(api, realm=_realm())
    assert api.post(PATH).status == 202
    assert [event["detail"]["realmId"] for event in bus()] == [moved]
