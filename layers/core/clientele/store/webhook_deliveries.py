"""Webhook events and deliveries, kept 30 days (``ttl``).

* An event's payload: in its customer's partition, ``PK = ORG#<org>#CUST#<customerId>``,
  ``SK = WEBHOOK_EVENT#<eventId>`` (so erasing the customer can forget it: :func:`forget_customer_events`),
  or ``PK = ORG#<org>#WEBHOOK_EVENT#<eventId>`` for an event of no customer (a ping) — written once by the
  fan-out, read by every delivery of it and by a redelivery, so each delivery item stays small.
* A delivery (one subscription and one event): ``PK = ORG#<org>#WEBHOOK#<webhookId>``,
  ``SK = DELIVERY#<deliveryId>`` where the id is time-ordered (``domain.webhooks.delivery_id``), so the
  log reads newest first in one Query; ``LSI1SK = DELIVERY#<status>#<deliveryId>`` serves the ``status``
  filter from the same partition, strongly consistent.
"""

from __future__ import annotations

from typing import Any

from clientele import aws
from clientele.store import keys
from clientele.store.table import Item, ListPage, as_int, from_item, key, table_name, to_item, values

EVENT_ENTITY = "webhook_event"
DELIVERY_ENTITY = "webhook_delivery"


def event_key(org: str, customer_id: str | None, event_id: str) -> dict[str, Any]:
    pk = keys.customer_pk(org, customer_id) if customer_id else keys.webhook_event_pk(org, event_id)
    return key(pk, keys.webhook_event_sk(event_id))


def delivery_key(org: str, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    return key(keys.deliveries_pk(org, webhook_id), keys.delivery_sk(delivery_id))


def put_event(org: str, customer_id: str | None, event_id: str, event_type: str, body: str, expires_at: int) -> None:
    """The payload as the bytes every attempt POSTs (a replayed fan-out writes the same item again)."""
    item = {**event_key(org, customer_id, event_id), "entity": {"S": EVENT_ENTITY},
            **to_item({"id": event_id, "type": event_type, "body": body, "customerId": customer_id, "ttl": expires_at})}
    aws.dynamodb().put_item(TableName=table_name(), Item=item)


def forget_customer_events(org: str, customer_id: str) -> int:
    """Delete the stored payloads of a customer's events (erasure, SPEC §9): a redelivery afterwards finds no
    payload and sends nothing. Returns how many there were."""
    client: Any = aws.dynamodb()
    request: dict[str, Any] = {
        "TableName": table_name(), "ConsistentRead": True, "ProjectionExpression": "PK, SK",
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": values({":pk": keys.customer_pk(org, customer_id),
                                             ":prefix": keys.WEBHOOK_EVENT_PREFIX})}
    forgotten = 0
    while True:
        page = client.query(**request)
        for item in page.get("Items", []):
            client.delete_item(TableName=table_name(), Key={"PK": item["PK"], "SK": item["SK"]})
            forgotten += 1
        if "LastEvaluatedKey" not in page:
            return forgotten
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def create_delivery(org: str, record: Item, expires_at: int) -> Item | None:
    """Put a new delivery; when it exists already, leave it as it is and return it (None: created)."""
    item = {"PK": keys.deliveries_pk(org, record["webhookId"]), "SK": keys.delivery_sk(record["id"]),
            keys.CUSTOMER_LOCAL_SK: keys.delivery_status_sk(record["status"], record["id"]),
            "entity": DELIVERY_ENTITY, **record, "ttl": expires_at}
    client: Any = aws.dynamodb()
    try:
        client.put_item(TableName=table_name(), Item=to_item(item), ConditionExpression="attribute_not_exists(PK)",
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except client.exceptions.ConditionalCheckFailedException as exc:
        return from_item(exc.response.get("Item") or {"id": {"S": record["id"]}})
    return None


def read_together(org: str, webhook_id: str, delivery_id: str, event: tuple[str | None, str] | None) -> tuple[
        Item | None, Item | None, Item | None]:
    """(delivery, subscription, event) in one BatchGetItem — what one attempt needs; ``event`` is the
    payload's (customer id, event id), None to read no payload."""
    from clientele.store.webhooks import webhook_from_item, webhook_key

    wanted = {"delivery": delivery_key(org, webhook_id, delivery_id), "webhook": webhook_key(org, webhook_id)}
    if event is not None:
        wanted["event"] = event_key(org, *event)
    found: dict[str, Item] = {}
    request: dict[str, Any] = {table_name(): {"Keys": list(wanted.values()), "ConsistentRead": True}}
    while request:
        response = aws.dynamodb().batch_get_item(RequestItems=request)
        for raw in response.get("Responses", {}).get(table_name(), []):
            found[raw["SK"]["S"]] = webhook_from_item(raw)
        request = response.get("UnprocessedKeys") or {}
    delivery, webhook, payload = (found.get(wanted[name]["SK"]["S"]) if name in wanted else None
                                  for name in ("delivery", "webhook", "event"))
    return delivery, webhook, payload


def get_delivery(org: str, webhook_id: str, delivery_id: str) -> Item | None:
    response = aws.dynamodb().get_item(TableName=table_name(), Key=delivery_key(org, webhook_id, delivery_id),
                                       ConsistentRead=True)
    item = response.get("Item")
    return from_item(item) if item else None


def record(org: str, webhook_id: str, delivery_id: str, changes: Item, *, attempted: bool) -> Item:
    """SET ``changes`` (and the status index key); an attempt also counts in ``attempts`` and in the
    current series' ``seriesAttempts``. Returns the delivery as stored afterwards."""
    sets = {name: value for name, value in changes.items() if value is not None}
    removed = [name for name, value in changes.items() if value is None]
    if "status" in sets:
        sets[keys.CUSTOMER_LOCAL_SK] = keys.delivery_status_sk(str(sets["status"]), delivery_id)
    names = {f"#s{i}": name for i, name in enumerate(sets)} | {f"#r{i}": name for i, name in enumerate(removed)}
    plain: dict[str, Any] = {f":s{i}": value for i, value in enumerate(sets.values())}
    update = "SET " + ", ".join(f"#s{i} = :s{i}" for i in range(len(sets)))
    if attempted:
        plain[":one"] = 1
        update += " ADD attempts :one, seriesAttempts :one"
    if removed:
        update += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
    response = aws.dynamodb().update_item(
        TableName=table_name(), Key=delivery_key(org, webhook_id, delivery_id), UpdateExpression=update,
        ConditionExpression="attribute_exists(PK)", ExpressionAttributeNames=names,
        ExpressionAttributeValues=values(plain), ReturnValues="ALL_NEW")
    return from_item(response.get("Attributes") or {})


def list_deliveries(org: str, webhook_id: str, status: str | None, *, limit: int,
                    start: dict[str, Any] | None) -> ListPage:
    """Newest first; with ``status``, from LSI1 (the same partition, by status then id): one Query a page."""
    request: dict[str, Any] = {
        "TableName": table_name(), "ScanIndexForward": False, "Limit": limit, "ConsistentRead": True,
        "KeyConditionExpression": "PK = :pk AND begins_with(#sk, :prefix)",
        "ExpressionAttributeValues": values({":pk": keys.deliveries_pk(org, webhook_id),
                                             ":prefix": keys.delivery_status_prefix(status)}),
        "ExpressionAttributeNames": {"#sk": keys.CUSTOMER_LOCAL_SK if status else keys.TABLE_SK},
    }
    if status:
        request["IndexName"] = keys.CUSTOMER_LOCAL_INDEX
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return ListPage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"))


def attempts_of(delivery: Item) -> int:
    return as_int(delivery.get("seriesAttempts"))
