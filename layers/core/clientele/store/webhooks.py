"""Webhook subscriptions: ``PK = ORG#<org>#WEBHOOKS``, ``SK = WEBHOOK#<id>`` — one partition per org, so
the list and the fan-out read every subscription of an org in one Query (there are at most 20).

The limit is exact under concurrent creates: a counter item in the same partition (``WEBHOOK_COUNT``)
is incremented, conditional on staying under the limit, in the transaction that puts the
subscription, and decremented in the one that deletes it — not a count of what a Query sees.

Secrets are stored only as KMS ciphertexts (``secrets: [{ciphertext, createdAt, expiresAt}]``, the
newest first); ``services.webhooks.secrets`` encrypts and decrypts them.
"""

from __future__ import annotations

from typing import Any

from clientele import aws
from clientele.domain.webhooks import MAX_WEBHOOKS_PER_ORG
from clientele.errors import ClienteleError, FieldError, NotFound, ValidationFailed, VersionConflict
from clientele.store import keys
from clientele.store.table import Item, as_int, from_item, key, table_name, to_item, values
from clientele.store.transactions import Transaction
from clientele.store.updates import set_fields

ENTITY = "webhook"
_SYSTEM = frozenset({"PK", "SK", "entity", "id", "createdAt", "version"})
_COUNT = "subscriptions"


def webhook_key(org: str, webhook_id: str) -> dict[str, Any]:
    return key(keys.webhooks_pk(org), keys.webhook_sk(webhook_id))


def _count_key(org: str) -> dict[str, Any]:
    return key(keys.webhooks_pk(org), keys.WEBHOOK_COUNT_SK)


def webhook_from_item(raw: dict[str, Any]) -> Item:
    item = from_item(raw)
    for secret in item.get("secrets") or []:
        value = secret.get("ciphertext")
        secret["ciphertext"] = bytes(getattr(value, "value", value) or b"")
    return item


def _limit_reached(_old: Item | None) -> ClienteleError:
    return ValidationFailed([FieldError("body", f"An organisation has at most {MAX_WEBHOOKS_PER_ORG} webhooks; "
                                                "delete one first.")])


def _webhook_failure(expected_version: int) -> Any:
    def failure(old: Item | None) -> ClienteleError:
        if old is None:
            return NotFound("No such webhook.")
        return VersionConflict(as_int(old.get("version")))

    return failure


def create_webhook(org: str, record: Item) -> None:
    """The subscription and the org's counter, in one transaction (422 past the limit)."""
    item = {"PK": keys.webhooks_pk(org), "SK": keys.webhook_sk(record["id"]), "entity": ENTITY,
            **record, "consecutiveFailures": 0}
    Transaction().update(
        _count_key(org), "SET #n = if_not_exists(#n, :zero) + :one",
        condition="attribute_not_exists(#n) OR #n < :max", names={"#n": _COUNT},
        values=values({":zero": 0, ":one": 1, ":max": MAX_WEBHOOKS_PER_ORG}), on_fail=_limit_reached,
    ).put(to_item(item), condition="attribute_not_exists(PK)").commit()


def get_webhook(org: str, webhook_id: str) -> Item | None:
    response = aws.dynamodb().get_item(TableName=table_name(), Key=webhook_key(org, webhook_id), ConsistentRead=True)
    item = response.get("Item")
    return webhook_from_item(item) if item else None


def list_webhooks(org: str) -> list[Item]:
    """Every subscription of the org, oldest first (one Query: the partition holds at most 20 and the counter)."""
    response = aws.dynamodb().query(
        TableName=table_name(), ConsistentRead=True,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues=values({":pk": keys.webhooks_pk(org), ":prefix": keys.WEBHOOK_PREFIX}),
    )
    items = [webhook_from_item(raw) for raw in response.get("Items", [])]
    return sorted(items, key=lambda item: (str(item.get("createdAt") or ""), str(item["id"])))


def update_webhook(org: str, before: Item, changes: Item, expected_version: int) -> None:
    """SET ``changes`` (``None`` removes) and the next version, conditional on the version read (412 otherwise)."""
    attributes = {name: value for name, value in changes.items() if name not in _SYSTEM}
    update, names, plain = set_fields(before, attributes, expected_version + 1)
    plain[":expected"] = expected_version
    Transaction().update(webhook_key(org, before["id"]), update, condition="attribute_exists(PK) AND #v = :expected",
                         names=names, values=values(plain), on_fail=_webhook_failure(expected_version)).commit()


def delete_webhook(org: str, webhook_id: str, expected_version: int) -> None:
    """The subscription (conditional on its version) and one off the org's counter. Its delivery log
    expires by itself (TTL), so the delete stays two items."""
    Transaction().delete(
        webhook_key(org, webhook_id), condition="attribute_exists(PK) AND #v = :expected", names={"#v": "version"},
        values=values({":expected": expected_version}), on_fail=_webhook_failure(expected_version),
    ).update(_count_key(org), "SET #n = #n - :one", condition="#n > :zero", names={"#n": _COUNT},
             values=values({":one": 1, ":zero": 0})).commit()


def reset_failures(org: str, webhook_id: str) -> None:
    """A delivery succeeded: the run of failed deliveries is over (no version change: a counter)."""
    aws.dynamodb().update_item(TableName=table_name(), Key=webhook_key(org, webhook_id),
                               UpdateExpression="SET consecutiveFailures = :zero",
                               ConditionExpression="attribute_exists(PK)",
                               ExpressionAttributeValues=values({":zero": 0}))


def count_failure(org: str, webhook_id: str) -> int:
    """One more delivery that failed for good; returns the run's length (0 when the webhook is gone)."""
    client: Any = aws.dynamodb()
    try:
        response = client.update_item(TableName=table_name(), Key=webhook_key(org, webhook_id),
                                      UpdateExpression="ADD consecutiveFailures :one",
                                      ConditionExpression="attribute_exists(PK)",
                                      ExpressionAttributeValues=values({":one": 1}), ReturnValues="UPDATED_NEW")
    except client.exceptions.ConditionalCheckFailedException:
        return 0
    return as_int(from_item(response.get("Attributes") or {}).get("consecutiveFailures"))


def deactivate(org: str, webhook_id: str, reason: str, at: str, threshold: int) -> bool:
    """Turn the subscription off with ``disabledReason`` while its run of failures is at ``threshold`` or more
    (a new version, so a client holding the old ETag re-reads); False when it was off or the run was broken."""
    client: Any = aws.dynamodb()
    try:
        client.update_item(
            TableName=table_name(), Key=webhook_key(org, webhook_id),
            UpdateExpression="SET isActive = :off, disabledReason = :reason, updatedAt = :at ADD #v :one",
            ConditionExpression="isActive = :on AND consecutiveFailures >= :threshold",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues=values({":off": False, ":on": True, ":reason": reason, ":at": at, ":one": 1,
                                              ":threshold": threshold}))
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True
