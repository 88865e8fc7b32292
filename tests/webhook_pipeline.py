"""The webhook pipeline in the tests' process, on moto, wired as template.yaml wires it: the table's stream →
the stream processor → the project's bus → the fan-out's EventBridge rule (to a queue, as the local stack
does) → the fan-out handler → the delivery queue → the delivery handler. ``run()`` turns every crank until
nothing moves."""

from __future__ import annotations

import json
from typing import Any

import boto3

from clientele.config import config
from local import resources, template
from local.events import LambdaContext
from local.jobs import rule_targets
from local.queues import lambda_record
from tests.streams.conftest import StreamReader, drain

FANOUT, DELIVERY = "WebhookFanoutFunction", "WebhookDeliveryFunction"


def handler(logical_id: str) -> Any:
    return next(fn for fn in template.functions() if fn.logical_id == logical_id).load()


class Pipeline:
    def __init__(self, table: str) -> None:
        self.sqs: Any = boto3.client("sqs")
        events: Any = boto3.client("events")
        bus = config().event_bus_name
        if not any(item["Name"] == bus for item in events.list_event_buses()["EventBuses"]):
            events.create_event_bus(Name=bus)
        self.stream = StreamReader(table)
        rule = next(target for target in rule_targets() if target.function == FANOUT)
        self.events_queue = self.sqs.create_queue(QueueName="pipeline-fanout")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.events_queue, AttributeNames=["QueueArn"])
        events.put_rule(Name="pipeline-fanout", EventBusName=bus, EventPattern=json.dumps(rule.pattern))
        events.put_targets(Rule="pipeline-fanout", EventBusName=bus,
                           Targets=[{"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}])
        self.delivery_queue = resources.queue_url("WebhookDeliveryQueue", None)
        self.delivery_arn = resources.queue_arn("WebhookDeliveryQueue")
        self.fanout, self.delivery = handler(FANOUT), handler(DELIVERY)
        self.fanned_out: list[dict[str, Any]] = []  # the domain events the fan-out was handed

    def _receive(self, url: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                                  AttributeNames=["All"]).get("Messages", [])
        return messages

    def fan_out(self) -> int:
        messages = self._receive(self.events_queue)
        for message in messages:
            event = json.loads(message["Body"])
            self.fanned_out.append(event)
            self.fanout(event, LambdaContext())
            self.sqs.delete_message(QueueUrl=self.events_queue, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def deliver(self) -> int:
        messages = self._receive(self.delivery_queue)
        if not messages:
            return 0
        records = [lambda_record(message, self.delivery_arn) for message in messages]
        response = self.delivery({"Records": records}, LambdaContext(timeout_seconds=30))
        failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
        for record in records:
            if record["messageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.delivery_queue, ReceiptHandle=record["receiptHandle"])
        return len(messages)

    def run(self, rounds: int = 20) -> None:
        """Crank until quiet (a retry made visible at once counts as movement; ``rounds`` bounds it)."""
        for _ in range(rounds):
            moved = drain(self.stream) + self.fan_out() + self.deliver()
            if not moved:
                return
