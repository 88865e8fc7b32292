"""Webhook subscriptions and the changes feed over the API (SPEC §11): the secret shown once, versions, the
URL rules, the 20-per-org limit, rotation, the delivery log's routes, and /changes' cursors."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest

from .parts import assert_problem, error_fields

pytestmark = pytest.mark.over_http

HOOK = "https://hooks.acme.example/clientele"


def new_webhook(api: Any, org: str = "acme", **fields: Any) -> Any:
    reply = api.post("/webhooks", {"url": HOOK, "events": ["customer.created"], **fields}, org=org)
    assert reply.status == 201, reply.body
    return reply


# --- create and read ----------------------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_secret(api: Any) -> None:
    reply = new_webhook(api, description="ERP", events=["customer.updated", "customer.created"])

    assert reply.headers["Location"] == f"/webhooks/{reply.body['id']}" and reply.etag == '"1"'
    assert reply.body["secret"].startswith("whsec_")
    assert (reply.body["events"], reply.body["isActive"], reply.body["description"]) == (
        ["customer.created", "customer.updated"], True, "ERP")


def test_the_secret_is_shown_only_when_created(api: Any) -> None:
    created = new_webhook(api).body

    read = api.get(f"/webhooks/{created['id']}")
    listed = api.get("/webhooks")

    assert read.status == 200 and "secret" not in read.body
    assert all("secret" not in item for item in listed.body["items"])
    assert read.body == {name: value for name, value in created.items() if name != "secret"}


def test_url_and_events_are_required(api: Any) -> None:
    reply = api.post("/webhooks", {"description": "nothing"})

    assert_problem(reply, 422, "validation_error")
    assert set(error_fields(reply)) == {"url", "events"}


def test_an_unknown_event_type_is_422(api: Any) -> None:
    reply = api.post("/webhooks", {"url": HOOK, "events": ["customer.exploded"]})

    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["events.0"]


@pytest.mark.parametrize("url", ["http://example.com/hook", "https://10.0.0.5/hook", "https://169.254.169.254/latest",
                                 "https://[fd00:ec2::254]/", "https://127.0.0.1/", "https://[::1]:8443/",
                                 "https://0.0.0.0/", "https://user:secret@hooks.acme.example/"])
def test_a_url_webhooks_may_not_go_to_is_422_naming_url(api: Any, url: str) -> None:
    reply = api.post("/webhooks", {"url": url, "events": ["*"]})

    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["url"]


@pytest.fixture
def resolving_to(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Host names the resolver answers with the addresses given (a DNS that says what the test wants)."""
    from clientele.integrations import webhook_http

    answers: dict[str, list[str]] = {}

    def resolver(host: str, port: int) -> list[Any]:
        if host not in answers:
            raise OSError("Name or service not known")
        return [ipaddress.ip_address(address) for address in answers[host]]

    monkeypatch.setattr(webhook_http, "resolver", resolver)
    yield answers


@pytest.mark.in_process
def test_a_host_name_that_resolves_to_a_private_address_is_422(api: Any, resolving_to: dict[str, list[str]]) -> None:
    resolving_to["internal.acme.example"] = ["93.184.215.14", "10.1.2.3"]

    reply = api.post("/webhooks", {"url": "https://internal.acme.example/hook", "events": ["*"]})

    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["url"]
    assert "10.1.2.3" in reply.body["errors"][0]["message"]


@pytest.mark.in_process
def test_a_host_name_that_resolves_to_public_addresses_is_accepted(api: Any,
                                                                    resolving_to: dict[str, list[str]]) -> None:
    resolving_to["hooks.partner.example"] = ["93.184.215.14"]

    reply = api.post("/webhooks", {"url": "https://hooks.partner.example/hook", "events": ["*"]})

    assert reply.status == 201, reply.body


@pytest.mark.parametrize("role", ["editor", "viewer", "integration"])
def test_only_admins_manage_webhooks(api: Any, role: str) -> None:
    created = new_webhook(api).body

    assert api.post("/webhooks", {"url": HOOK, "events": ["*"]}, role=role).body["code"] == "forbidden"
    assert api.get(f"/webhooks/{created['id']}", role=role).status == 403


def test_another_org_sees_no_subscription(api: Any) -> None:
    created = new_webhook(api, org="acme").body

    assert api.get("/webhooks", org="globex").body["items"] == []
    reply = api.get(f"/webhooks/{created['id']}", org="globex")
    assert_problem(reply, 404, "not_found")


# --- change and delete (versioned) ------------------------------------------------------------------------


def test_a_change_needs_if_match(api: Any) -> None:
    created = new_webhook(api).body

    reply = api.patch(f"/webhooks/{created['id']}", {"description": "x"})

    assert_problem(reply, 428, "precondition_required")


def test_a_change_with_a_stale_version_is_412(api: Any) -> None:
    created = new_webhook(api).body
    assert api.patch(f"/webhooks/{created['id']}", {"description": "x"}, headers={"If-Match": '"1"'}).status == 200

    reply = api.patch(f"/webhooks/{created['id']}", {"description": "y"}, headers={"If-Match": '"1"'})

    assert_problem(reply, 412, "version_conflict")
    assert reply.body["currentVersion"] == 2


def test_a_change_sets_only_what_it_sends_and_bumps_the_version(api: Any) -> None:
    created = new_webhook(api, description="ERP").body

    reply = api.patch(f"/webhooks/{created['id']}", {"events": ["*"]}, headers={"If-Match": '"1"'})

    assert reply.status == 200 and reply.etag == '"2"'
    assert (reply.body["events"], reply.body["description"], reply.body["url"]) == (["*"], "ERP", HOOK)


def test_a_change_of_url_is_checked_again(api: Any) -> None:
    created = new_webhook(api).body

    reply = api.patch(f"/webhooks/{created['id']}", {"url": "https://192.168.0.10/"}, headers={"If-Match": '"1"'})

    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["url"]


def test_null_clears_the_description_but_not_the_url(api: Any) -> None:
    created = new_webhook(api, description="ERP").body

    cleared = api.patch(f"/webhooks/{created['id']}", {"description": None}, headers={"If-Match": '"1"'})
    refused = api.patch(f"/webhooks/{created['id']}", {"url": None}, headers={"If-Match": '"2"'})

    assert cleared.status == 200 and cleared.body["description"] is None
    assert_problem(refused, 422, "validation_error")
    assert error_fields(refused) == ["url"]


@pytest.mark.in_process
def test_switching_a_disabled_webhook_back_on_clears_its_reason_and_failures(api: Any) -> None:
    from clientele.store import webhooks as store

    created = new_webhook(api).body
    for _ in range(3):
        store.count_failure("acme", created["id"])
    assert store.deactivate("acme", created["id"], "50 deliveries in a row failed", "2026-12-07T00:00:00.000Z", 3)
    disabled = api.get(f"/webhooks/{created['id']}")
    assert (disabled.body["isActive"], disabled.body["consecutiveFailures"]) == (False, 3)

    reply = api.patch(f"/webhooks/{created['id']}", {"isActive": True}, headers={"If-Match": disabled.etag})

    assert reply.status == 200
    assert (reply.body["isActive"], reply.body["disabledReason"], reply.body["consecutiveFailures"]) == (True, None, 0)


def test_delete_needs_if_match_then_the_webhook_is_gone(api: Any) -> None:
    created = new_webhook(api).body

    assert api.delete(f"/webhooks/{created['id']}").body["code"] == "precondition_required"
    assert api.delete(f"/webhooks/{created['id']}", headers={"If-Match": '"1"'}).status == 204
    assert api.get(f"/webhooks/{created['id']}").body["code"] == "not_found"


# --- the limit ----------------------------------------------------------------------------------------------


def test_an_org_has_at_most_20_webhooks(api: Any) -> None:
    org = "limited"
    for _ in range(20):
        new_webhook(api, org=org)

    reply = api.post("/webhooks", {"url": HOOK, "events": ["*"]}, org=org)

    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["body"]


def test_deleting_a_webhook_frees_its_place(api: Any) -> None:
    org = "freed"
    created = [new_webhook(api, org=org).body for _ in range(20)]
    assert api.delete(f"/webhooks/{created[0]['id']}", org=org, headers={"If-Match": '"1"'}).status == 204

    assert api.post("/webhooks", {"url": HOOK, "events": ["*"]}, org=org).status == 201


# --- the secret ---------------------------------------------------------------------------------------------


def test_rotation_answers_a_new_secret_and_the_old_one_signs_for_24_hours(api: Any) -> None:
    from datetime import UTC, datetime

    created = new_webhook(api).body

    reply = api.post(f"/webhooks/{created['id']}/rotate-secret")

    assert reply.status == 200 and reply.etag == '"2"'
    assert reply.body["secret"].startswith("whsec_") and reply.body["secret"] != created["secret"]
    expires = datetime.fromisoformat(reply.body["previousSecretExpiresAt"].replace("Z", "+00:00"))
    assert 23.9 * 3600 < (expires - datetime.now(UTC)).total_seconds() <= 24 * 3600


def test_an_idempotent_create_answers_the_same_secret_again(api: Any) -> None:
    body = {"url": HOOK, "events": ["*"]}
    first = api.post("/webhooks", body, headers={"Idempotency-Key": "webhook-once"})

    again = api.post("/webhooks", body, headers={"Idempotency-Key": "webhook-once"})

    assert again.status == 201 and again.body == first.body


@pytest.mark.in_process
def test_no_secret_is_stored_in_plain_text(api: Any, table: str) -> None:
    import boto3

    created = api.post("/webhooks", {"url": HOOK, "events": ["*"]}, headers={"Idempotency-Key": "plain"}).body
    rotated = api.post(f"/webhooks/{created['id']}/rotate-secret").body

    stored = str(boto3.client("dynamodb").scan(TableName=table)["Items"])

    assert created["secret"] not in stored and rotated["secret"] not in stored
    assert created["id"] in stored  # the scan did read the subscription (and the idempotency record)


# --- the delivery log -----------------------------------------------------------------------------------------


def test_a_ping_is_one_attempt_in_the_delivery_log(api: Any) -> None:
    created = new_webhook(api).body  # hooks.acme.example does not resolve: the attempt fails

    ping = api.post(f"/webhooks/{created['id']}/ping")
    log = api.get(f"/webhooks/{created['id']}/deliveries")

    assert ping.status == 200
    assert (ping.body["eventType"], ping.body["status"], ping.body["attempts"]) == ("ping", "failed", 1)
    assert "could not resolve" in ping.body["lastError"]
    assert log.body["items"] == [ping.body]


def test_the_delivery_log_filters_by_status_and_pages(api: Any) -> None:
    created = new_webhook(api).body
    for _ in range(3):
        api.post(f"/webhooks/{created['id']}/ping")

    failed = api.get(f"/webhooks/{created['id']}/deliveries", query="status=failed&limit=2")
    delivered = api.get(f"/webhooks/{created['id']}/deliveries", query="status=delivered")
    rest = api.get(f"/webhooks/{created['id']}/deliveries", query=f"status=failed&cursor={failed.body['nextCursor']}")

    assert len(failed.body["items"]) == 2 and delivered.body["items"] == []
    assert len(rest.body["items"]) == 1 and rest.body["nextCursor"] is None


def test_an_unknown_status_filter_is_422(api: Any) -> None:
    created = new_webhook(api).body

    reply = api.get(f"/webhooks/{created['id']}/deliveries", query="status=lost")

    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["status"]


def test_the_deliveries_of_an_unknown_webhook_are_404(api: Any) -> None:
    reply = api.get("/webhooks/4b1c8a36-6a53-4b8e-9f53-8f1e6a9b1c2d/deliveries")

    assert_problem(reply, 404, "not_found")


def test_redelivering_an_unknown_delivery_is_404(api: Any) -> None:
    created = new_webhook(api).body

    reply = api.post(f"/webhooks/{created['id']}/deliveries/4b1c8a36-6a53-4b8e-9f53-8f1e6a9b1c2d/redeliver")

    assert_problem(reply, 404, "not_found")


def test_redelivering_to_a_switched_off_webhook_is_409(api: Any) -> None:
    created = new_webhook(api).body
    ping = api.post(f"/webhooks/{created['id']}/ping").body
    assert api.patch(f"/webhooks/{created['id']}", {"isActive": False}, headers={"If-Match": '"1"'}).status == 200

    reply = api.post(f"/webhooks/{created['id']}/deliveries/{ping['id']}/redeliver")

    assert_problem(reply, 409, "webhook_inactive")


def test_a_redelivery_is_queued_as_a_new_series(api: Any) -> None:
    created = new_webhook(api).body
    ping = api.post(f"/webhooks/{created['id']}/ping").body

    reply = api.post(f"/webhooks/{created['id']}/deliveries/{ping['id']}/redeliver")

    assert reply.status == 202
    assert (reply.body["id"], reply.body["status"], reply.body["attempts"]) == (ping["id"], "pending", 1)


# --- the changes feed -----------------------------------------------------------------------------------------


def test_the_changes_feed_always_answers_a_next_cursor(api: Any) -> None:
    first = api.get("/changes", org="quiet")

    again = api.get("/changes", org="quiet", query=f"cursor={first.body['nextCursor']}")

    assert first.status == 200 and first.body["items"] == [] and first.body["nextCursor"]
    assert again.status == 200 and again.body["nextCursor"]


def test_an_edited_changes_cursor_is_400(api: Any) -> None:
    cursor = api.get("/changes").body["nextCursor"]

    reply = api.get("/changes", query=f"cursor={cursor[:-3]}abc")

    assert_problem(reply, 400, "bad_cursor")


def test_an_unknown_change_type_is_422_naming_types(api: Any) -> None:
    reply = api.get("/changes", query="types=customer,invoice")

    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["types"]


@pytest.mark.in_process
def test_a_cursor_older_than_30_days_is_410(api: Any) -> None:
    from clientele import cursors
    from clientele.store import changes, keys

    old = changes.now_ms() - 31 * 24 * 3600 * 1000
    cursor = cursors.encode("acme", "changes", {"d": changes.day_of(old), "a": keys.change_position(old)})

    reply = api.get("/changes", query=f"cursor={cursor}")

    assert_problem(reply, 410, "cursor_expired")
