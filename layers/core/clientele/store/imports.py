"""Import jobs: ``PK = ORG#<org>#IMPORT#<id>``, ``SK = IMPORT`` (status, counters, row errors, and
``resume``: the checkpoint a later invocation continues from).

The uploaded file lives in S3 under ``imports/<org>/<id>.csv``: the job finds the org and the import
from the object key of the S3 "Object Created" event.
"""

from __future__ import annotations

from typing import Any

from clientele import aws
from clientele.store import keys
from clientele.store.table import Item, key, read_item, table_name, to_item, values

KEY_PREFIX = "imports/"


def object_key(org: str, import_id: str) -> str:
    return f"{KEY_PREFIX}{org}/{import_id}.csv"


def parse_object_key(object_key_: str) -> tuple[str, str] | None:
    """(org, import id) of an upload key, or None for anything else in the bucket."""
    if not object_key_.startswith(KEY_PREFIX) or not object_key_.endswith(".csv"):
        return None
    parts = object_key_[len(KEY_PREFIX):-len(".csv")].split("/")
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


def create_import(org: str, record: Item) -> None:
    item = {"PK": keys.import_pk(org, record["id"]), "SK": keys.IMPORT_SK, "entity": "import", **record}
    aws.dynamodb().put_item(TableName=table_name(), Item=to_item(item), ConditionExpression="attribute_not_exists(PK)")


def get_import(org: str, import_id: str) -> Item | None:
    return read_item(key(keys.import_pk(org, import_id), keys.IMPORT_SK))


class CheckpointTaken(Exception):
    """Another run of the same import saved a checkpoint first (a duplicated event): this one stops."""


def update_import(org: str, import_id: str, changes: dict[str, Any],
                  new_errors: list[dict[str, Any]] | None = None, *, after_checkpoint: int | None = None) -> None:
    """SET the given attributes (status, counters, checkpoint) on an existing import, and append
    ``new_errors`` to its row errors: a progress save sends only what is new, never the whole list.

    ``after_checkpoint``: save only if the stored ``checkpoint`` number is this one (else
    :class:`CheckpointTaken`), so of two runs of one import only one carries on."""
    names = {f"#a{i}": name for i, name in enumerate(changes)}
    assignments = [f"#a{i} = :a{i}" for i in range(len(changes))]
    vals: dict[str, Any] = {f":a{i}": value for i, value in enumerate(changes.values())}
    if new_errors:
        names["#errors"] = "errors"
        assignments.append("#errors = list_append(if_not_exists(#errors, :none), :new)")
        vals.update({":none": [], ":new": new_errors})
    condition = "attribute_exists(PK)"
    if after_checkpoint is not None:
        names["#checkpoint"] = "checkpoint"
        condition += " AND #checkpoint = :previous"
        vals[":previous"] = after_checkpoint
    client = aws.dynamodb()
    try:
        client.update_item(
            TableName=table_name(), Key=key(keys.import_pk(org, import_id), keys.IMPORT_SK),
            UpdateExpression="SET " + ", ".join(assignments), ConditionExpression=condition,
            ExpressionAttributeNames=names, ExpressionAttributeValues=values(vals),
        )
    except client.exceptions.ConditionalCheckFailedException:
        if after_checkpoint is None:
            raise
        raise CheckpointTaken(import_id) from None
