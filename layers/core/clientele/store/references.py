"""SET NULL after a segment, broker or category is deleted: the customers that still reference it
(through its facet index) and the conditional update that clears one reference."""

from __future__ import annotations

from typing import Any

from clientele import aws
from clientele.store import keys
from clientele.store.customers import customer_key
from clientele.store.table import ListPage, from_item, table_name, values

PAGE = 100


def customers_referencing(org: str, field_name: str, entry_id: str, start: dict[str, Any] | None) -> ListPage:
    """A page of customers (deleted ones too) whose ``field_name`` is ``entry_id``: one Query on the
    field's facet index, ids only."""
    index, prefix = keys.FACETS[field_name]
    pk_name, _ = keys.INDEX_KEYS[index]
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": index, "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": pk_name}, "ProjectionExpression": "id",
        "ExpressionAttributeValues": values({":pk": keys.facet_partition(org, prefix, entry_id)}), "Limit": PAGE,
    }
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return ListPage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"))


def clear_reference(org: str, customer_id: str, field_name: str, entry_id: str, now: str) -> bool:
    """Remove the reference (and its facet index keys; a broker's fee goes with the broker) and bump the
    version, only if the customer still references ``entry_id``; False when it no longer did."""
    index, _ = keys.FACETS[field_name]
    pk_name, sk_name = keys.INDEX_KEYS[index]
    names = {"#f": field_name, "#ipk": pk_name, "#isk": sk_name, "#v": "version"}
    remove = "#f, #ipk, #isk"
    if field_name == "brokerId":
        names["#fee"] = "brokerFeePercent"
        remove += ", #fee"
    client: Any = aws.dynamodb()
    try:
        client.update_item(
            TableName=table_name(), Key=customer_key(org, customer_id),
            UpdateExpression=f"REMOVE {remove} SET #v = #v + :one, updatedAt = :now",
            ConditionExpression="#f = :entry", ExpressionAttributeNames=names,
            ExpressionAttributeValues=values({":one": 1, ":now": now, ":entry": entry_id}),
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True
