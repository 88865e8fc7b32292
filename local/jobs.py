"""EventBridge-triggered jobs in the local stack: every ``Type: EventBridgeRule`` event in template.yaml
becomes a rule on the embedded bus targeting an SQS queue (moto's EventBridge cannot target Lambda),
and a poller hands each queued event to the very handler module the rule targets in AWS.

S3 uploads reach it for real: the imports bucket is created with EventBridge notifications on, so a
PUT (inline import or the pre-signed URL) emits "Object Created" on the default bus, as in AWS.

Schedules (``Type: Schedule``) never fire under moto: a timer per schedule hands the handler a
"Scheduled Event" at the template's rate (``LOCAL_SCHEDULE_SECONDS`` overrides every interval; ``0``
turns the timers off). A run can also be asked for at once by putting its event on the local bus.

Wiring (local/server.py), after the stream poller is created::

    from local.jobs import EventBridgeJobs
    workers.append(EventBridgeJobs(runtime))
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from local import template
from local.console import emit
from local.runtime import Runtime

# What a template !Ref in a rule pattern stands for locally.
LOCAL_REFS = {"ImportsBucket": lambda: os.environ.setdefault("IMPORTS_BUCKET", "clientele-local-imports"),
              "EventBus": lambda: os.environ.get("EVENT_BUS_NAME", "clientele-local-bus")}


@dataclass(frozen=True)
class RuleTarget:
    function: str
    name: str
    bus: str
    pattern: dict[str, Any]


def _resolve(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in LOCAL_REFS:
            return LOCAL_REFS[value["Ref"]]()
        return {key: _resolve(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item) for item in value]
    return value


def rule_targets() -> list[RuleTarget]:
    resources = template.load_template()["Resources"]
    targets = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in (resource["Properties"].get("Events") or {}).items():
            if event.get("Type") != "EventBridgeRule":
                continue
            props = event.get("Properties") or {}
            bus = _resolve(props.get("EventBusName")) or "default"
            targets.append(RuleTarget(logical_id, f"{logical_id}-{event_name}", str(bus), _resolve(props["Pattern"])))
    return targets


@dataclass(frozen=True)
class ScheduleTarget:
    function: str
    name: str
    seconds: float


_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def schedule_targets() -> list[ScheduleTarget]:
    """Every ``Type: Schedule`` event: rate(...) as seconds (a cron expression ticks every 15 minutes)."""
    override = os.environ.get("LOCAL_SCHEDULE_SECONDS")
    targets = []
    for logical_id, resource in template.load_template()["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in (resource["Properties"].get("Events") or {}).items():
            if event.get("Type") != "Schedule":
                continue
            rate = _RATE.fullmatch(str((event.get("Properties") or {}).get("Schedule", "")).strip())
            seconds = float(rate.group(1)) * _UNIT_SECONDS[rate.group(2)] if rate else 900.0
            if override is not None:
                seconds = float(override)
            if seconds > 0:
                targets.append(ScheduleTarget(logical_id, f"{logical_id}-{event_name}", seconds))
    return targets


def scheduled_event(target: ScheduleTarget) -> dict[str, Any]:
    """The event an EventBridge schedule rule (``Type: Schedule``) hands its function."""
    import time

    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
            "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{target.name}"], "detail": {}}


class EventBridgeJobs:
    def __init__(self, runtime: Runtime, *, interval: float = 0.25) -> None:
        self.runtime = runtime
        self.interval = interval
        self.targets = rule_targets()
        self.schedules = schedule_targets()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def describe(self) -> str:
        rules = [f"{target.function} ← {target.bus}" for target in self.targets]
        timers = [f"{target.function} every {target.seconds:g} s" for target in self.schedules]
        return ", ".join(rules + timers) or "none"

    def setup(self) -> dict[str, str]:
        """Create the bucket, the rules and their queues; returns rule name → queue url."""
        import boto3

        s3 = boto3.client("s3")
        bucket = LOCAL_REFS["ImportsBucket"]()
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
        events, sqs = boto3.client("events"), boto3.client("sqs")
        queues = {}
        for target in self.targets:
            url = sqs.create_queue(QueueName=target.name[:80])["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            events.put_rule(Name=target.name, EventBusName=target.bus, EventPattern=json.dumps(target.pattern))
            events.put_targets(Rule=target.name, EventBusName=target.bus, Targets=[{"Id": "queue", "Arn": arn}])
            queues[target.name] = url
        return queues

    def start(self) -> None:
        queues = self.setup()
        for target in self.targets:
            thread = threading.Thread(target=self._run, args=(target, queues[target.name]),
                                      name=f"job-{target.function}", daemon=True)
            thread.start()
            self._threads.append(thread)
        for schedule in self.schedules:
            thread = threading.Thread(target=self._tick, args=(schedule,), name=f"schedule-{schedule.function}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def _tick(self, schedule: ScheduleTarget) -> None:
        while not self._stop.wait(schedule.seconds):
            invocation = self.runtime[schedule.function].invoke(scheduled_event(schedule))
            status = "ok" if invocation.error is None else f"error {invocation.error}"
            emit(f"SCHEDULE {schedule.function:<35} {invocation.milliseconds:7.1f} ms  {status}")

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _run(self, target: RuleTarget, url: str) -> None:
        import boto3

        sqs = boto3.client("sqs")
        while not self._stop.is_set():
            try:
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            except Exception as exc:
                emit(f"JOB     {target.function}: polling failed: {exc}")
                self._stop.wait(1)
                continue
            for message in messages:
                invocation = self.runtime[target.function].invoke(json.loads(message["Body"]))
                status = "ok" if invocation.error is None else f"error {invocation.error}"
                emit(f"JOB     {target.function:<36} {invocation.milliseconds:7.1f} ms  {status}")
                # Like EventBridge's async invoke: a failed event is dropped after the attempt (logged).
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if not messages:
                self._stop.wait(self.interval)
