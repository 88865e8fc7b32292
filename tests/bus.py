"""Watching the project's EventBridge bus in tests: moto keeps no record of the events put on a bus,
so a rule sends those of one source to an SQS queue, which the test drains."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import boto3

from clientele.config import config

Watch = Callable[[], list[dict[str, Any]]]


def watch(source: str) -> Watch:
    """Returns ``drain()``: every event of ``source`` put on the bus since the last drain, oldest first."""
    events = boto3.client("events", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    bus = config().event_bus_name
    with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
        events.create_event_bus(Name=bus)
    name = "watch-" + source.replace(".", "-")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])

    def drain() -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                received.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return received

    return drain
