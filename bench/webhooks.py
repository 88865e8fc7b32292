"""Webhooks and the changes feed (SPEC §11) for `make bench`.

* The stream processor (a warm container) with the feed and the webhook payloads in place: CPU ms and
  DynamoDB calls per 100 records over a workload of customers (with edits, deletes and restores), contacts and sales orders,
  against the same records processed without them (the feed's projector, the contact events and the
  events' ``object``/``previous`` taken out) — both in this run, on tables built the same way.
* The fan-out: DynamoDB and SQS calls per domain event, for an org with two subscriptions.
* The delivery: DynamoDB, KMS and SQS calls per delivered message, to a receiver on 127.0.0.1.

CPU side means wall time minus the time inside AWS calls (moto's cost is not AWS's), as the stream figure
of bench/__main__.py. `python -m bench.webhooks` prints only these.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ORG = "bench-webhooks"
CUSTOMERS = int(os.environ.get("BENCH_WEBHOOK_CUSTOMERS", "100"))
SERVICES = ("dynamodb", "events", "sqs", "kms")


class _Timed:
    """Time spent inside calls to AWS services (botocore events) and their counts, per service."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls: dict[str, list[str]] = {service: [] for service in SERVICES}
        self._started: list[float] = []

    def attach(self) -> None:
        from clientele import aws

        for service in SERVICES:
            client = aws.client(service)
            client.meta.events.register(f"before-call.{client.meta.service_model.endpoint_prefix}", self._before)
            client.meta.events.register(f"after-call.{client.meta.service_model.endpoint_prefix}", self._after)

    def _before(self, model: Any, **_: Any) -> None:
        self.calls.setdefault(model.service_model.endpoint_prefix, []).append(model.name)
        self._started.append(time.perf_counter())

    def _after(self, **_: Any) -> None:
        self.seconds += time.perf_counter() - self._started.pop()

    def reset(self) -> None:
        self.seconds = 0.0
        self.calls = {service: [] for service in SERVICES}


@contextlib.contextmanager
def _receiver() -> Iterator[str]:
    class Ok(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _workload(api: Any) -> None:
    """Customers (some edited, deleted and restored), two contacts on a third of them, an order each."""
    from clientele.services import orgs

    rng = random.Random(11)
    type_id = orgs.ensure_provisioned(ORG).ordered("type")[1]["id"]
    for n in range(CUSTOMERS):
        body = {"companyName": f"Hook {n}", "customerTypeId": type_id, "emails": f"h{n}@x.test",
                "notes": "x" * rng.randint(0, 400)}
        customer = api.post("/customers", body, org=ORG).body
        path = f"/customers/{customer['id']}"
        version = 1
        if n % 3 == 0:
            for name in ("Ann", "Bo"):
                api.post(f"{path}/contacts", {"name": name, "email": f"{name.lower()}{n}@x.test"}, org=ORG)
                version += 1
        api.post("/sales-orders", {"customerId": customer["id"], "lines": [
            {"description": "x", "quantity": 2, "unitPrice": "10.05"}]}, org=ORG)
        if n % 2:
            api.patch(path, {"accountState": "growth"}, org=ORG, headers={"If-Match": f'"{version}"'})
            version += 1
        if n % 10 == 0:
            api.delete(path, org=ORG, headers={"If-Match": f'"{version}"'})
            api.post(f"{path}/restore", org=ORG, headers={"If-Match": f'"{version + 1}"'})


@contextlib.contextmanager
def _without_feed_and_payloads() -> Iterator[None]:
    """The processor as it was before SPEC §11: no feed entries, no contact events, events without their
    resource presented."""
    from unittest import mock

    from clientele.streams import changes_feed, projectors, resource_events

    kept = tuple(p for p in projectors.PROJECTORS if p not in (changes_feed.changes_feed, resource_events.contact_events))
    with mock.patch.object(projectors, "PROJECTORS", kept), \
            mock.patch.object(resource_events, "with_representations", lambda events: events):
        yield


def _process(records: list[dict[str, Any]], timed: _Timed) -> dict[str, Any]:
    import importlib

    from local import template
    from local.events import LambdaContext

    spec = next(fn for fn in template.functions() if fn.logical_id == "StreamProcessorFunction")
    handler = spec.load()
    processor = importlib.import_module(spec.module_name).processor
    for module in ("clientele.services.customers.records", "clientele.services.contacts",
                   "clientele.services.sales_orders", "clientele.services.changes"):
        importlib.import_module(module)  # a warm container: what it imports on first use is a cold-start figure
    timed.reset()
    feed = 0
    began = time.perf_counter()
    for start in range(0, len(records), 100):
        response = handler({"Records": records[start:start + 100]}, LambdaContext(timeout_seconds=120))
        assert response == {"batchItemFailures": []}, response
        feed += processor.outcome.feed_entries_written
    cpu = max(time.perf_counter() - began - timed.seconds, 1e-9)
    per_100 = 100 / len(records)
    calls = timed.calls["dynamodb"]
    return {"records": len(records), "cpuMsPer100Records": round(cpu * 1000 * per_100, 1),
            "dynamodbCallsPer100Records": round(len(calls) * per_100, 1),
            "putEventsCallsPer100Records": round(len(timed.calls["events"]) * per_100, 1),
            "feedEntriesPer100Records": round(feed * per_100, 1),
            "callMix": {name: calls.count(name) for name in sorted(set(calls))}}


FANNED_OUT_EVENTS = 100  # the fan-out and delivery figures are per event: a sample of the run's events will do


def _run(with_feed: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The processor over the workload's records (an org with two subscriptions at a local receiver); with
    the feed and payloads in place, also the fan-out and the delivery of the first events it published."""
    from unittest import mock

    from clientele.events import publisher
    from local import in_process
    from local.invoke import Api
    from local.streams import StreamReader

    published: list[tuple[str, dict[str, Any]]] = []
    original = publisher.publish

    def recording(events: Any, source: str = publisher.SOURCE) -> list[int]:
        published.extend((kind, dict(detail)) for kind, detail in events)
        return original(events, source)

    os.environ["WEBHOOK_ALLOW_LOCAL_HTTP"] = "true"
    try:
        with in_process.moto(event_bus=True) as table, _receiver() as url:
            api = Api()
            for _ in range(2):
                reply = api.post("/webhooks", {"url": url, "events": ["*"]}, org=ORG)
                assert reply.status == 201, reply.body
            _workload(api)
            records = StreamReader(table).read()
            timed = _Timed()
            timed.attach()
            with mock.patch.object(publisher, "publish", recording), \
                    (contextlib.nullcontext() if with_feed else _without_feed_and_payloads()):
                stream = _process(records, timed)
            delivery = _fan_out_and_deliver(published[:FANNED_OUT_EVENTS], timed) if with_feed else None
    finally:
        os.environ.pop("WEBHOOK_ALLOW_LOCAL_HTTP", None)
    return stream, delivery


def _fan_out_and_deliver(events: list[tuple[str, dict[str, Any]]], timed: _Timed) -> dict[str, Any]:
    import boto3

    from clientele.services.webhooks import delivery, fanout
    from local import resources
    from local.queues import lambda_record

    timed.reset()
    queued = sum(fanout.fan_out(kind, detail) for kind, detail in events)
    fanned = {service: len(calls) for service, calls in timed.calls.items()}
    sqs = boto3.client("sqs")
    queue, arn = resources.queue_url("WebhookDeliveryQueue", None), resources.queue_arn("WebhookDeliveryQueue")
    timed.reset()
    delivered = 0
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        assert delivery.deliver_batch([lambda_record(message, arn) for message in messages]) == []
        delivered += len(messages)
        for message in messages:  # the bench's own client, as the event source's in AWS: not counted
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    sent = {service: len(calls) for service, calls in timed.calls.items()}
    return {"domainEvents": len(events), "deliveriesQueued": queued, "deliveries": delivered,
            "fanoutDynamodbCallsPerEvent": round(fanned["dynamodb"] / max(len(events), 1), 2),
            "fanoutSqsCallsPerEvent": round(fanned["sqs"] / max(len(events), 1), 2),
            "deliveryDynamodbCallsPerDelivery": round(sent["dynamodb"] / max(delivered, 1), 2),
            "deliveryKmsCallsPerDelivery": round(sent["kms"] / max(delivered, 1), 2)}


def measure_webhooks() -> dict[str, Any]:
    with_feed, delivery = _run(with_feed=True)
    without, _ = _run(with_feed=False)
    return {"streamWithFeedAndWebhooks": with_feed, "streamWithout": without,
            "streamCpuOverhead": round(with_feed["cpuMsPer100Records"] / max(without["cpuMsPer100Records"], 1e-9), 2),
            "delivery": delivery}


def print_webhooks(figures: dict[str, Any]) -> None:
    with_feed, without, delivery = (figures["streamWithFeedAndWebhooks"], figures["streamWithout"],
                                    figures["delivery"])
    print(f"\nStream processor with the changes feed and webhook payloads ({with_feed['records']} records, batches of "
          f"100): {with_feed['cpuMsPer100Records']} CPU ms per 100 records (without them: "
          f"{without['cpuMsPer100Records']} ms, {figures['streamCpuOverhead']}x); "
          f"{with_feed['dynamodbCallsPer100Records']} DynamoDB calls per 100 records (without: "
          f"{without['dynamodbCallsPer100Records']}), {with_feed['feedEntriesPer100Records']} feed entries and "
          f"{with_feed['putEventsCallsPer100Records']} PutEvents calls per 100 records "
          f"({', '.join(f'{k} x{v}' for k, v in with_feed['callMix'].items())})")
    print(f"Webhook fan-out, two subscriptions: {delivery['fanoutDynamodbCallsPerEvent']} DynamoDB and "
          f"{delivery['fanoutSqsCallsPerEvent']} SQS calls per domain event; delivery: "
          f"{delivery['deliveryDynamodbCallsPerDelivery']} DynamoDB and {delivery['deliveryKmsCallsPerDelivery']} KMS "
          f"calls per delivery ({delivery['deliveries']} delivered to a local receiver; secrets decrypted once a "
          f"container)")


if __name__ == "__main__":
    from bench import environment

    environment()
    print_webhooks(measure_webhooks())
