"""Webhooks and the changes feed over real HTTP against the local stack (SPEC §11): receivers on 127.0.0.1
get signed events, a failed attempt is retried, a redelivery arrives, internal URLs are refused, orgs are
apart, a dead endpoint delays no healthy one, the 20-per-org limit holds under concurrent creates, and
/changes lists what changed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local.polling import eventually
from tests.webhook_receivers import Receiver, receiving

from .conftest import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def org() -> str:
    return f"hooks-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def subscribe(stack: Stack, org: str, receiver: Receiver, events: list[str] | None = None) -> dict[str, Any]:
    reply = stack.post("/webhooks", org=org, json={"url": receiver.url, "events": events or ["*"]})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def customer(stack: Stack, org: str, **fields: Any) -> dict[str, Any]:
    reply = stack.create_customer(org, **fields)
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def log_of(stack: Stack, org: str, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    reply = stack.get(f"/webhooks/{webhook['id']}/deliveries", org=org)
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def test_a_receiver_gets_customer_created_and_updated_with_valid_signatures(stack: Stack, org: str,
                                                                           receiver: Receiver) -> None:
    webhook = subscribe(stack, org, receiver, ["customer.created", "customer.updated"])
    created = customer(stack, org, companyName="Signed Hotels")
    assert stack.patch(f"/customers/{created['id']}", org=org, json={"notes": "VIP"},
                       headers={"If-Match": '"1"'}).status_code == 200

    eventually(lambda: sorted(item.event_type for item in receiver.received),
               ["customer.created", "customer.updated"])

    assert all(item.signed_with(webhook["secret"]) for item in receiver.received)
    updated = receiver.of_type("customer.updated")[0].payload
    assert updated["data"]["object"]["notes"] == "VIP" and updated["data"]["previous"]["notes"] is None
    assert updated["data"]["object"]["version"] == 2


def test_a_receiver_that_answers_500_once_gets_a_retry_and_the_log_shows_two_attempts(stack: Stack,
                                                                                     org: str) -> None:
    with receiving(statuses=[500]) as flaky:
        webhook = subscribe(stack, org, flaky, ["customer.created"])
        customer(stack, org)

        logged = eventually(lambda: log_of(stack, org, webhook), lambda items: bool(items)
                            and items[0]["status"] == "delivered")

        assert flaky.count() == 2
        assert (logged[0]["attempts"], logged[0]["lastStatusCode"]) == (2, 200)


def test_a_redelivery_reaches_the_receiver_again(stack: Stack, org: str, receiver: Receiver) -> None:
    webhook = subscribe(stack, org, receiver, ["customer.created"])
    customer(stack, org)
    (delivered,) = eventually(lambda: log_of(stack, org, webhook),
                              lambda items: bool(items) and items[0]["status"] == "delivered")

    reply = stack.post(f"/webhooks/{webhook['id']}/deliveries/{delivered['id']}/redeliver", org=org)

    assert reply.status_code == 202, reply.text
    eventually(receiver.count, 2)
    assert receiver.received[0].payload == receiver.received[1].payload
    eventually(lambda: [(item["status"], item["attempts"]) for item in log_of(stack, org, webhook)],
               [("delivered", 2)])


@pytest.mark.parametrize("url", ["http://example.com/hook", "https://10.0.0.5/hook", "https://169.254.169.254/"])
def test_plain_http_and_internal_addresses_are_refused(stack: Stack, org: str, url: str) -> None:
    reply = stack.post("/webhooks", org=org, json={"url": url, "events": ["*"]})

    assert reply.status_code == 422 and reply.json()["code"] == "validation_error"
    assert [error["field"] for error in reply.json()["errors"]] == ["url"]


def test_another_org_sees_no_subscription(stack: Stack, org: str, receiver: Receiver) -> None:
    webhook = subscribe(stack, org, receiver)
    other = f"{org}-other"

    assert stack.get("/webhooks", org=other).json()["items"] == []
    assert stack.get(f"/webhooks/{webhook['id']}", org=other).json()["code"] == "not_found"
    customer(stack, other)  # nor does another org's change reach this org's receiver
    assert stack.get(f"/webhooks/{webhook['id']}/deliveries", org=other).status_code == 404


def test_an_endpoint_that_never_answers_does_not_delay_a_healthy_one(stack: Stack, org: str,
                                                                    receiver: Receiver) -> None:
    with receiving(hang=True) as silent:
        subscribe(stack, org, silent, ["customer.created"])
        subscribe(stack, org, receiver, ["customer.created"])
        for n in range(4):
            customer(stack, org, companyName=f"Busy {n}")

        eventually(lambda: len(receiver.of_type("customer.created")), 4)

        # Every healthy delivery arrived while the silent endpoint's first attempts were still waiting for an
        # answer: none of them has given up yet (each waits 10 s), so nothing queued behind them.
        assert silent.held >= 1 and silent.released == 0


def test_concurrent_creates_leave_exactly_twenty_webhooks(stack: Stack, org: str, receiver: Receiver) -> None:
    def create(_: int) -> tuple[int, str]:
        reply = stack.post("/webhooks", org=org, json={"url": receiver.url, "events": ["*"]})
        return reply.status_code, str(reply.json().get("code", ""))

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(create, range(26)))

    assert sorted(outcomes).count((201, "")) == 20
    assert [outcome for outcome in outcomes if outcome[0] != 201] == [(422, "validation_error")] * 6
    assert len(stack.get("/webhooks", org=org).json()["items"]) == 20


def test_the_changes_feed_lists_a_customers_changes_in_version_order(stack: Stack, org: str) -> None:
    created = customer(stack, org)
    assert stack.patch(f"/customers/{created['id']}", org=org, json={"notes": "x"},
                       headers={"If-Match": '"1"'}).status_code == 200
    seen: list[dict[str, Any]] = []
    cursor: list[str | None] = [None]

    def poll() -> list[tuple[str, int]]:
        reply = stack.get("/changes", org=org, params={"cursor": cursor[0]} if cursor[0] else {})
        assert reply.status_code == 200, reply.text
        seen.extend(reply.json()["items"])
        cursor[0] = reply.json()["nextCursor"]
        return [(item["action"], item["version"]) for item in seen if item["entityId"] == created["id"]]

    eventually(poll, [("created", 1), ("updated", 2)])
