"""Webhook deliveries in this process (SPEC §11), through the pipeline template.yaml wires (stream → bus →
fan-out → delivery queue → delivery), to receivers on 127.0.0.1: what is sent, to whom, signed how, retried
when, switched off after how many failures — and what is never connected to."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest

from clientele.domain.webhooks import DISABLE_AFTER_FAILED_DELIVERIES, RETRY_DELAYS_SECONDS
from clientele.integrations import webhook_http
from clientele.services.webhooks import delivery, fanout
from clientele.services.webhooks.queue import Message
from clientele.store import webhook_deliveries
from local.invoke import Api
from tests.api.helpers import customer_body
from tests.streams.conftest import drain
from tests.webhook_pipeline import Pipeline
from tests.webhook_receivers import Receiver, receiving

ORG = "acme"


@pytest.fixture
def client(table: str) -> Api:
    return Api()


@pytest.fixture
def pipeline(table: str, monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    monkeypatch.setenv("WEBHOOK_ALLOW_LOCAL_HTTP", "true")  # as the local stack sets it: receivers on 127.0.0.1
    monkeypatch.setenv("WEBHOOK_RETRY_DELAYS_SECONDS", "0,0")  # retries at once (the schedule is tested below)
    return Pipeline(table)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def subscribe(client: Api, receiver: Receiver, events: list[str] | None = None) -> dict[str, Any]:
    reply = client.post("/webhooks", {"url": receiver.url, "events": events or ["*"]}, org=ORG)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def new_customer(client: Api, **fields: Any) -> dict[str, Any]:
    reply = client.post("/customers", customer_body(ORG, **fields), org=ORG, role="editor")
    assert reply.status == 201, reply.body
    return dict(reply.body)


def types_received(receiver: Receiver) -> list[str]:
    """The event types received, by the version of their object: deliveries are concurrent, so a receiver
    sees them in any order (the object's ``version`` says which came first)."""
    ordered = sorted(receiver.received, key=lambda item: (item.payload["data"]["object"].get("version", 0),
                                                          item.event_type))
    return [item.event_type for item in ordered]


def deliveries(client: Api, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"/webhooks/{webhook['id']}/deliveries", org=ORG).body["items"]
    return items


# --- what is sent -------------------------------------------------------------------------------------------


def test_a_receiver_gets_customer_created_and_updated_signed_with_its_secret(
        client: Api, pipeline: Pipeline, receiver: Receiver) -> None:
    webhook = subscribe(client, receiver, ["customer.created", "customer.updated"])
    customer = new_customer(client)
    client.patch(f"/customers/{customer['id']}", {"notes": "VIP"}, org=ORG, headers={"If-Match": '"1"'})

    pipeline.run()

    assert types_received(receiver) == ["customer.created", "customer.updated"]
    assert all(item.signed_with(webhook["secret"]) for item in receiver.received)
    assert all(item.headers["clientele-event-id"] == item.payload["id"] for item in receiver.received)


def test_the_payload_is_the_customer_as_get_shows_it_with_the_earlier_values_of_what_changed(
        client: Api, pipeline: Pipeline, receiver: Receiver) -> None:
    subscribe(client, receiver, ["customer.updated"])
    customer = new_customer(client, notes="old")
    changed = client.patch(f"/customers/{customer['id']}", {"notes": "new"}, org=ORG, headers={"If-Match": '"1"'}).body

    pipeline.run()

    (received,) = receiver.received
    payload = received.payload
    as_get = {name: value for name, value in client.get(f"/customers/{customer['id']}", org=ORG).body.items()
              if name != "contacts"}
    assert payload["type"] == "customer.updated" and payload["occurredAt"] == changed["updatedAt"]
    assert payload["data"]["object"] == as_get
    assert payload["data"]["previous"] == {"notes": "old", "version": 1, "updatedAt": customer["updatedAt"]}


def test_a_subscription_gets_only_the_event_types_it_asked_for(client: Api, pipeline: Pipeline) -> None:
    with receiving() as created_only, receiving() as everything:
        subscribe(client, created_only, ["customer.created"])
        subscribe(client, everything, ["*"])
        customer = new_customer(client)
        client.patch(f"/customers/{customer['id']}", {"notes": "x"}, org=ORG, headers={"If-Match": '"1"'})

        pipeline.run()

        assert types_received(created_only) == ["customer.created"]
        assert types_received(everything) == ["customer.created", "customer.updated"]


def test_contact_events_carry_the_contact_as_get_shows_it(client: Api, pipeline: Pipeline,
                                                           receiver: Receiver) -> None:
    subscribe(client, receiver, ["contact.created", "contact.updated", "contact.deleted"])
    customer = new_customer(client)
    contact = client.post(f"/customers/{customer['id']}/contacts", {"name": "Ann"}, org=ORG).body
    path = f"/customers/{customer['id']}/contacts/{contact['id']}"
    changed = client.patch(path, {"title": "Buyer"}, org=ORG, headers={"If-Match": '"1"'}).body
    client.delete(path, org=ORG, headers={"If-Match": '"2"'})

    pipeline.run()

    assert sorted(types_received(receiver)) == ["contact.created", "contact.deleted", "contact.updated"]
    created, updated, deleted = (receiver.of_type(f"contact.{kind}")[0].payload["data"]
                                 for kind in ("created", "updated", "deleted"))
    assert created == {"object": contact, "previous": {}}
    assert updated["object"] == changed and updated["previous"]["title"] is None
    assert deleted == {"object": changed, "previous": {}}


def test_sales_order_events_carry_the_order_as_get_shows_it(client: Api, pipeline: Pipeline,
                                                             receiver: Receiver) -> None:
    subscribe(client, receiver, ["sales_order.created", "sales_order.updated"])
    customer = new_customer(client)
    order = client.post("/sales-orders", {"customerId": customer["id"], "lines": [
        {"description": "Paint", "quantity": 2, "unitPrice": "10.50"}]}, org=ORG).body
    confirmed = client.patch(f"/sales-orders/{order['id']}", {"status": "confirmed"}, org=ORG,
                             headers={"If-Match": '"1"'}).body

    pipeline.run()

    created, updated = (receiver.of_type(kind)[0].payload["data"] for kind in ("sales_order.created",
                                                                               "sales_order.updated"))
    assert created["object"] == order
    assert updated["object"] == confirmed and updated["previous"]["status"] == "draft"


def test_a_contact_change_alone_sends_no_customer_updated(client: Api, pipeline: Pipeline,
                                                          receiver: Receiver) -> None:
    customer = new_customer(client)
    subscribe(client, receiver, ["customer.updated", "contact.created"])
    client.post(f"/customers/{customer['id']}/contacts", {"name": "Ann"}, org=ORG)  # the customer's version moves

    pipeline.run()

    assert types_received(receiver) == ["contact.created"]


def test_a_switched_off_subscription_gets_nothing(client: Api, pipeline: Pipeline, receiver: Receiver) -> None:
    webhook = subscribe(client, receiver)
    client.patch(f"/webhooks/{webhook['id']}", {"isActive": False}, org=ORG, headers={"If-Match": '"1"'})
    new_customer(client)

    pipeline.run()

    assert receiver.received == [] and deliveries(client, webhook) == []


def test_a_replayed_domain_event_makes_no_second_delivery(client: Api, pipeline: Pipeline,
                                                          receiver: Receiver) -> None:
    webhook = subscribe(client, receiver, ["customer.created"])
    new_customer(client)
    pipeline.run()

    event = pipeline.fanned_out[0]
    queued = fanout.fan_out(event["detail-type"], event["detail"])
    pipeline.run()

    assert queued == 0 and receiver.count() == 1 and len(deliveries(client, webhook)) == 1


# --- retries and failures ------------------------------------------------------------------------------------


def test_a_receiver_that_fails_once_gets_a_retry_and_the_log_shows_two_attempts(client: Api,
                                                                                pipeline: Pipeline) -> None:
    with receiving(statuses=[500]) as flaky:
        webhook = subscribe(client, flaky, ["customer.created"])
        new_customer(client)

        pipeline.run()

        (logged,) = deliveries(client, webhook)
        assert flaky.count() == 2 and flaky.received[0].payload == flaky.received[1].payload
        assert (logged["status"], logged["attempts"], logged["lastStatusCode"]) == ("delivered", 2, 200)


def first_delivery(client: Api, pipeline: Pipeline, receiver: Receiver) -> tuple[dict[str, Any], Message]:
    """A subscription, one customer.created event fanned out, and the message of its delivery, taken off the
    queue before the delivery function got it (the test makes the attempts)."""
    webhook = subscribe(client, receiver, ["customer.created"])
    new_customer(client)
    drain(pipeline.stream)
    pipeline.fan_out()
    (queued,) = pipeline.sqs.receive_message(QueueUrl=pipeline.delivery_queue)["Messages"]
    pipeline.sqs.delete_message(QueueUrl=pipeline.delivery_queue, ReceiptHandle=queued["ReceiptHandle"])
    return webhook, Message.parse(queued["Body"])


def test_a_failing_endpoint_is_retried_on_the_schedule_then_given_up(client: Api, pipeline: Pipeline) -> None:
    with receiving(then=503) as down:
        webhook, message = first_delivery(client, pipeline, down)
        delays = [delivery.deliver(message, schedule=RETRY_DELAYS_SECONDS) for _ in range(len(RETRY_DELAYS_SECONDS) + 1)]

        assert down.count() == len(RETRY_DELAYS_SECONDS) + 1
        assert delays[-1] is None
        retried = [delay for delay in delays[:-1] if delay is not None]
        assert len(retried) == len(RETRY_DELAYS_SECONDS)
        assert all(base <= delay <= base * 1.1 for base, delay in zip(RETRY_DELAYS_SECONDS, retried, strict=True))
        (logged,) = deliveries(client, webhook)
        assert (logged["status"], logged["attempts"], logged["lastStatusCode"], logged["lastError"]) == (
            "failed", len(RETRY_DELAYS_SECONDS) + 1, 503, "HTTP 503")
        assert client.get(f"/webhooks/{webhook['id']}", org=ORG).body["consecutiveFailures"] == 1


def test_fifty_deliveries_failed_in_a_row_switch_the_webhook_off(client: Api, table: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOW_LOCAL_HTTP", "true")
    monkeypatch.setenv("WEBHOOK_RETRY_DELAYS_SECONDS", "")  # one attempt a delivery: each failure is final
    with receiving(then=500) as down:
        webhook = subscribe(client, down, ["customer.created"])
        for n in range(DISABLE_AFTER_FAILED_DELIVERIES):
            detail = {"eventId": f"CustomerCreated:c{n}:1", "orgId": ORG, "object": {"id": f"c{n}", "version": 1}}
            assert fanout.fan_out("CustomerCreated", detail) == 1
        for logged in deliveries_all(client, webhook):
            assert delivery.deliver(Message(ORG, webhook["id"], logged["id"], logged["eventId"])) is None

        read = client.get(f"/webhooks/{webhook['id']}", org=ORG).body
        assert (read["isActive"], read["consecutiveFailures"]) == (False, DISABLE_AFTER_FAILED_DELIVERIES)
        assert "50 deliveries in a row failed" in read["disabledReason"]
        assert read["version"] == 2


def deliveries_all(client: Api, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = client.get(f"/webhooks/{webhook['id']}/deliveries", org=ORG, query=f"limit=100{cursor}").body
        found += page["items"]
        if not page["nextCursor"]:
            return found
        cursor = f"&cursor={page['nextCursor']}"


def test_a_delivered_attempt_ends_a_run_of_failures(client: Api, pipeline: Pipeline) -> None:
    from clientele.store import webhooks as store

    with receiving() as up:
        webhook, message = first_delivery(client, pipeline, up)
        store.count_failure(ORG, webhook["id"])

        assert delivery.deliver(message) is None

        assert client.get(f"/webhooks/{webhook['id']}", org=ORG).body["consecutiveFailures"] == 0


def test_a_deleted_webhooks_pending_delivery_is_dropped(client: Api, pipeline: Pipeline, receiver: Receiver) -> None:
    webhook, message = first_delivery(client, pipeline, receiver)
    client.delete(f"/webhooks/{webhook['id']}", org=ORG, headers={"If-Match": '"1"'})

    assert delivery.deliver(message) is None

    stored = webhook_deliveries.get_delivery(ORG, webhook["id"], message.delivery_id)
    assert stored is not None and (stored["status"], stored["lastError"]) == ("failed", "the webhook was deleted")
    assert receiver.received == []


def test_a_redelivery_sends_the_same_event_again(client: Api, pipeline: Pipeline, receiver: Receiver) -> None:
    webhook = subscribe(client, receiver, ["customer.created"])
    new_customer(client)
    pipeline.run()
    (logged,) = deliveries(client, webhook)

    assert client.post(f"/webhooks/{webhook['id']}/deliveries/{logged['id']}/redeliver", org=ORG).status == 202
    pipeline.run()

    assert receiver.count() == 2 and receiver.received[0].payload == receiver.received[1].payload
    (again,) = deliveries(client, webhook)
    assert (again["status"], again["attempts"]) == ("delivered", 2)


# --- secrets ---------------------------------------------------------------------------------------------------


def test_after_a_rotation_the_old_and_the_new_secret_both_sign(client: Api, pipeline: Pipeline,
                                                                receiver: Receiver) -> None:
    webhook = subscribe(client, receiver, ["customer.created"])
    rotated = client.post(f"/webhooks/{webhook['id']}/rotate-secret", org=ORG).body
    new_customer(client)

    pipeline.run()

    (received,) = receiver.received
    assert received.headers["clientele-signature"].count("v1=") == 2
    assert received.signed_with(webhook["secret"]) and received.signed_with(rotated["secret"])


def test_a_ping_is_signed_and_carries_the_webhook(client: Api, pipeline: Pipeline, receiver: Receiver) -> None:
    webhook = subscribe(client, receiver)

    reply = client.post(f"/webhooks/{webhook['id']}/ping", org=ORG)

    (received,) = receiver.received
    assert (reply.body["status"], reply.body["lastStatusCode"]) == ("delivered", 200)
    assert received.event_type == "ping" and received.signed_with(webhook["secret"])
    assert received.payload["data"]["object"]["id"] == webhook["id"]


# --- where a delivery may go -------------------------------------------------------------------------------------


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What the resolver answers now (a test changes it between creation and delivery: DNS rebinding)."""
    answers: dict[str, list[str]] = {}
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[Any]:
        calls.append(host)
        if host not in answers:
            raise OSError("Name or service not known")
        return [ipaddress.ip_address(address) for address in answers[host]]

    monkeypatch.setattr(webhook_http, "resolver", resolver)
    answers["__calls__"] = calls
    return answers


def test_a_host_that_now_resolves_to_a_private_address_is_skipped_without_connecting(
        client: Api, pipeline: Pipeline, dns: dict[str, list[str]]) -> None:
    dns["hooks.partner.example"] = ["93.184.215.14"]
    reply = client.post("/webhooks", {"url": "https://hooks.partner.example/in", "events": ["customer.created"]},
                        org=ORG)
    assert reply.status == 201, reply.body
    dns["hooks.partner.example"] = ["10.0.0.5"]  # rebound after the check at creation
    new_customer(client)

    pipeline.run()

    (logged,) = deliveries(client, reply.body)
    assert logged["status"] == "failed" and logged["lastStatusCode"] is None
    assert logged["lastError"] == "not delivered: hooks.partner.example is 10.0.0.5: a private address"


def test_a_delivery_connects_to_the_address_it_checked_and_resolves_once(
        dns: dict[str, list[str]], receiver: Receiver) -> None:
    from clientele.domain.webhook_urls import parse

    dns["localhost"] = ["127.0.0.1"]
    port = receiver.url.split(":")[2].split("/")[0]
    target = parse(f"http://localhost:{port}/hook", allow_local_http=True)

    attempt = webhook_http.post(target, b"{}", {"Content-Type": "application/json"})

    assert attempt.delivered and dns["__calls__"] == ["localhost"]
    assert receiver.received[0].headers["host"] == f"localhost:{port}"


def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    from clientele.domain.webhook_urls import parse

    with receiving(then=302, location=receiver.url) as redirecting:
        attempt = webhook_http.post(parse(redirecting.url, allow_local_http=True), b"{}", {})

        assert (attempt.outcome, attempt.status_code) == ("failed", 302)
        assert attempt.error == "HTTP 302 (redirects are not followed)"
        assert redirecting.count() == 1 and receiver.received == []


def test_an_endpoint_that_does_not_answer_in_time_fails_the_attempt() -> None:
    from clientele.domain.webhook_urls import parse

    with receiving(hang=True) as silent:
        attempt = webhook_http.post(parse(silent.url, allow_local_http=True), b"{}", {}, seconds=0.5)

        assert (attempt.outcome, attempt.status_code) == ("failed", None)
        assert attempt.error == "no response within 0.5 s"


def test_an_endpoint_that_refuses_connections_fails_the_attempt() -> None:
    from clientele.domain.webhook_urls import parse

    with receiving() as gone:
        url = gone.url
    attempt = webhook_http.post(parse(url, allow_local_http=True), b"{}", {})

    assert attempt.outcome == "failed" and "could not connect to 127.0.0.1" in str(attempt.error)


# --- erasure (SPEC §9) -------------------------------------------------------------------------------------------


def test_an_erasing_change_sends_no_previous_values(client: Api) -> None:
    from clientele.services.webhooks.objects import Catalogs, describe
    from clientele.store import customers

    created = new_customer(client, emails="ann@acme.example", notes="private")
    old = customers.get_customer(ORG, created["id"])
    assert old is not None
    erased = {**old, "companyName": "Erased customer", "emails": [], "notes": None, "version": 2,
              "deletedAt": "2026-12-07T10:00:00.000Z", "erasedAt": "2026-12-07T10:00:00.000Z"}

    obj, previous = describe("customer", ORG, old, erased, Catalogs())

    assert previous == {} and obj["emails"] == [] and obj["companyName"] == "Erased customer"


def test_forgetting_a_customers_events_leaves_nothing_to_redeliver(client: Api, pipeline: Pipeline,
                                                                   receiver: Receiver) -> None:
    webhook = subscribe(client, receiver, ["customer.created"])
    created = new_customer(client, emails="ann@acme.example")
    pipeline.run()
    (logged,) = deliveries(client, webhook)

    assert webhook_deliveries.forget_customer_events(ORG, created["id"]) == 1
    client.post(f"/webhooks/{webhook['id']}/deliveries/{logged['id']}/redeliver", org=ORG)
    pipeline.run()

    assert receiver.count() == 1
    (dropped,) = deliveries(client, webhook)
    assert (dropped["status"], dropped["lastError"]) == ("failed", "the event is no longer kept (30 days, or its "
                                                                    "customer was erased)")
