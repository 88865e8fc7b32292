"""The template's SQS queues and KMS keys, made in the embedded AWS (the local stack, the tests' moto and the
bench alike), and the environment that points the handlers at them.

A function's ``Environment`` that names a queue (``!Ref WebhookDeliveryQueue``: its URL) or a key
(``!Ref``/``!GetAtt …Arn``) gets the local queue's URL or the local key's alias instead, so the handlers
read the same variables as in AWS. Names are fixed (``clientele-local-<LogicalId>``), so the environment
can be set before the containers start and the resources made afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from local import template
from local.events import ACCOUNT_ID

PREFIX = "clientele-local-"
DEFAULT_SQS_ENDPOINT = "https://sqs.us-east-1.amazonaws.com"


def _resources(kind: str) -> dict[str, dict[str, Any]]:
    return {logical_id: resource.get("Properties") or {} for logical_id, resource in
            template.load_template()["Resources"].items() if resource.get("Type") == kind}


def queues() -> dict[str, dict[str, Any]]:
    return _resources("AWS::SQS::Queue")


def keys() -> dict[str, dict[str, Any]]:
    return _resources("AWS::KMS::Key")


def queue_name(logical_id: str) -> str:
    return f"{PREFIX}{logical_id}"[:80]


def queue_url(logical_id: str, endpoint: str | None) -> str:
    return f"{(endpoint or DEFAULT_SQS_ENDPOINT).rstrip('/')}/{ACCOUNT_ID}/{queue_name(logical_id)}"


def queue_arn(logical_id: str, region: str = "us-east-1") -> str:
    return f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{queue_name(logical_id)}"


def key_alias(logical_id: str) -> str:
    return f"alias/{PREFIX}{logical_id}"


def referenced(value: Any) -> str | None:
    """The logical id a ``!Ref X`` or ``!GetAtt X.Arn`` names."""
    if isinstance(value, Mapping):
        if set(value) == {"Ref"}:
            return str(value["Ref"])
        target = value.get("Fn::GetAtt")
        if isinstance(target, str):
            return target.split(".", 1)[0]
        if isinstance(target, list) and target:
            return str(target[0])
    return None


def environment(endpoint: str | None) -> dict[str, str]:
    """Variable → local value, for every function variable that names one of the template's queues or keys."""
    queue_ids, key_ids = set(queues()), set(keys())
    found: dict[str, str] = {}
    for function in template.functions():
        for name, value in function.environment.items():
            logical_id = referenced(value)
            if logical_id in queue_ids:
                found[name] = queue_url(logical_id, endpoint)
            elif logical_id in key_ids:
                found[name] = key_alias(logical_id)
    return found


def create(endpoint: str | None = None) -> None:
    """Make every queue (dead-letter queues first, with the redrive policies and visibility timeouts the
    template gives) and every key with its alias, in whatever AWS boto3 reaches (moto)."""
    import boto3

    sqs: Any = boto3.client("sqs", endpoint_url=endpoint) if endpoint else boto3.client("sqs")
    kms: Any = boto3.client("kms", endpoint_url=endpoint) if endpoint else boto3.client("kms")
    pending = dict(queues())
    while pending:
        for logical_id, props in list(pending.items()):
            redrive = props.get("RedrivePolicy")
            target = referenced((redrive or {}).get("deadLetterTargetArn"))
            if target in pending:
                continue  # its dead-letter queue first
            attributes: dict[str, Any] = {"MessageRetentionPeriod": str(props.get("MessageRetentionPeriod", 345600)),
                          "VisibilityTimeout": str(props.get("VisibilityTimeout", 30))}
            if redrive and target:
                attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": queue_arn(target),
                                                          "maxReceiveCount": int(redrive["maxReceiveCount"])})
            sqs.create_queue(QueueName=queue_name(logical_id), Attributes=attributes)
            del pending[logical_id]
    for logical_id in keys():
        key_id = kms.create_key(Description=f"local {logical_id}")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=key_alias(logical_id), TargetKeyId=key_id)
