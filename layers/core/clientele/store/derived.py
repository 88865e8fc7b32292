"""Items the stream processor derives, and the reads served from them.

* Index entries (child links ``CHILD#<child>`` under the parent, contact points
  ``ORG#o#PHONE#…``/``ORG#o#EMAIL#…`` → ``CUST#<id>``) are written whole, conditional on a newer
  ``stamp`` than the stored one; a removed entry stays as a tombstone (``live = false``, expiring
  through ``ttl`` after the stream's 24 h retention) so no late record can bring it back.
* Contributions (``ROLLUP#…`` under the source's customer) remember each source's applied share of
  counters; a contribution and the counter deltas it implies commit in one transaction, conditional
  on the contribution's stamp as read.
* Report counters live under ``ORG#o#REPORT`` (``COUNT#<dimension>#<value>#<shard>``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clientele import aws
from clientele.errors import ClienteleError
from clientele.store import keys
from clientele.store.table import Item, ListPage, as_int, from_item, key, table_name, to_item, values
from clientele.store.transactions import Transaction
from clientele.store.writes import Contribution, Counter, IndexEntry, Key

# Tombstones outlive the stream's 24 h retention (and Lambda's retries within it) with room to spare.
TOMBSTONE_SECONDS = 3 * 24 * 60 * 60
_BATCH_GET = 100


# --- index entries -------------------------------------------------------------------------------------


def put_entry(entry: IndexEntry) -> bool:
    """Write the entry unless a newer (or equal) stamp is stored; False when it was stale."""
    item: dict[str, Any] = {"PK": entry.pk, "SK": entry.sk, "entity": entry.entity, "stamp": entry.stamp,
                            "live": entry.live}
    if entry.attributes is not None:
        item.update({name: value for name, value in entry.attributes.items() if name not in item})
    else:
        item["ttl"] = int(time.time()) + TOMBSTONE_SECONDS
    client: Any = aws.dynamodb()
    try:
        client.put_item(TableName=table_name(), Item=to_item(item),
                        ConditionExpression="attribute_not_exists(PK) OR #stamp < :stamp",
                        ExpressionAttributeNames={"#stamp": "stamp"},
                        ExpressionAttributeValues=values({":stamp": entry.stamp}))
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


# --- contributions and counters ------------------------------------------------------------------------


class StaleContribution(ClienteleError):
    """The contribution changed after we read it (another processor got there first)."""

    def __init__(self, contribution_key: Key) -> None:
        super().__init__("The contribution changed while applying it.")
        self.key = contribution_key


class MissingCounter(ClienteleError):
    """A counter that must exist (a project) is gone; its share is moot."""

    def __init__(self, counter_key: Key) -> None:
        super().__init__("The counter's item no longer exists.")
        self.key = counter_key


@dataclass(frozen=True)
class StoredContribution:
    stamp: int
    shares: dict[Counter, dict[str, Decimal]]


def _shares_out(shares: Mapping[Counter, Mapping[str, Decimal]]) -> list[dict[str, Any]]:
    return [{"pk": counter.pk, "sk": counter.sk, "mustExist": counter.must_exist, "labels": dict(counter.labels),
             "amounts": dict(amounts)} for counter, amounts in shares.items()]


def _shares_in(stored: Iterable[Mapping[str, Any]]) -> dict[Counter, dict[str, Decimal]]:
    shares: dict[Counter, dict[str, Decimal]] = {}
    for entry in stored:
        counter = Counter(str(entry["pk"]), str(entry["sk"]), bool(entry.get("mustExist")),
                          tuple(sorted((str(k), str(v)) for k, v in (entry.get("labels") or {}).items())))
        shares[counter] = {str(name): Decimal(amount) for name, amount in (entry.get("amounts") or {}).items()}
    return shares


def read_contributions(contribution_keys: list[Key]) -> dict[Key, StoredContribution]:
    """The stored contributions (consistent BatchGetItem, 100 keys a call)."""
    found: dict[Key, StoredContribution] = {}
    client = aws.dynamodb()
    for start in range(0, len(contribution_keys), _BATCH_GET):
        chunk = contribution_keys[start:start + _BATCH_GET]
        request: dict[str, Any] = {table_name(): {"Keys": [key(pk, sk) for pk, sk in chunk], "ConsistentRead": True}}
        while request:
            response = client.batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(table_name(), []):
                item = from_item(raw)
                found[(item["PK"], item["SK"])] = StoredContribution(as_int(item.get("stamp")),
                                                                     _shares_in(item.get("shares") or []))
            request = dict(response.get("UnprocessedKeys") or {})
    return found


@dataclass(frozen=True)
class ContributionPut:
    contribution: Contribution
    applied: Mapping[Counter, Mapping[str, Decimal]]  # the shares actually applied (moot counters dropped)
    seen_stamp: int | None  # the stored stamp this put replaces (None: nothing stored)


def commit_contributions(puts: list[ContributionPut], deltas: Mapping[Counter, Mapping[str, Decimal]]) -> None:
    """One transaction: each contribution (conditional on the stamp read) and each counter's delta."""
    tx = Transaction()
    now = int(time.time())
    for put in puts:
        contribution = put.contribution
        item: dict[str, Any] = {"PK": contribution.pk, "SK": contribution.sk, "entity": "contribution",
                                "stamp": contribution.stamp, "shares": _shares_out(put.applied)}
        if contribution.final:
            item["ttl"] = now + TOMBSTONE_SECONDS

        def stale(_old: Item | None, found: Key = contribution.key) -> ClienteleError:
            return StaleContribution(found)

        if put.seen_stamp is None:
            tx.put(to_item(item), condition="attribute_not_exists(PK)", on_fail=stale)
        else:
            tx.put(to_item(item), condition="#stamp = :seen", names={"#stamp": "stamp"},
                   values=values({":seen": put.seen_stamp}), on_fail=stale)
    for counter, amounts in deltas.items():
        _add_counter(tx, counter, amounts)
    tx.commit()


def _add_counter(tx: Transaction, counter: Counter, amounts: Mapping[str, Decimal]) -> None:
    names = {f"#c{i}": name for i, name in enumerate(amounts)}
    vals: dict[str, Any] = {f":c{i}": amount for i, amount in enumerate(amounts.values())}
    update = "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(amounts)))
    if counter.labels:
        names.update({f"#l{i}": label for i, (label, _) in enumerate(counter.labels)})
        vals.update({f":l{i}": value for i, (_, value) in enumerate(counter.labels)})
        vals[":entity"] = "report_counter"
        update += " SET entity = :entity, " + ", ".join(f"#l{i} = :l{i}" for i in range(len(counter.labels)))

    def missing(_old: Item | None, found: Key = counter.key) -> ClienteleError:
        return MissingCounter(found)

    tx.update(key(counter.pk, counter.sk), update, condition="attribute_exists(PK)" if counter.must_exist else None,
              names=names, values=values(vals), on_fail=missing if counter.must_exist else None)


# --- reads served from derived items -------------------------------------------------------------------


def list_children(org: str, parent_id: str, *, limit: int, start: dict[str, Any] | None) -> ListPage:
    """One Query on the parent's partition: its live child links, by child id."""
    request: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "FilterExpression": "live = :true",
        "ExpressionAttributeValues": values({":pk": keys.customer_pk(org, parent_id), ":prefix": keys.CHILD_PREFIX,
                                             ":true": True}),
        "Limit": limit,
    }
    if start:
        request["ExclusiveStartKey"] = start
    response = aws.dynamodb().query(**request)
    return ListPage([from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey"))


def customers_with_contact_point(org: str, kind: str, value: str) -> list[str]:
    """Ids of the customers indexed under a normalised phone or a lower-cased email (one Query)."""
    pk = keys.phone_pk(org, value) if kind == "phone" else keys.email_pk(org, value)
    request: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "FilterExpression": "live = :true",
        "ProjectionExpression": "customerId",
        "ExpressionAttributeValues": values({":pk": pk, ":prefix": keys.CONTACT_POINT_SK_PREFIX, ":true": True}),
    }
    ids: list[str] = []
    while True:
        response = aws.dynamodb().query(**request)
        ids += [str(from_item(item)["customerId"]) for item in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            return ids
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def report_counts(org: str, dimension: str) -> dict[str, int]:
    """Counts per value of one report dimension, summed over the counter shards (one Query)."""
    request: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeNames": {"#key": "key", "#count": "count"},
        "ProjectionExpression": "#key, #count",
        "ExpressionAttributeValues": values({":pk": keys.report_pk(org),
                                             ":prefix": keys.report_count_prefix(dimension)}),
    }
    counts: dict[str, int] = {}
    while True:
        response = aws.dynamodb().query(**request)
        for raw in response.get("Items", []):
            item = from_item(raw)
            value = str(item.get("key") or "")
            counts[value] = counts.get(value, 0) + as_int(item.get("count"))
        if "LastEvaluatedKey" not in response:
            return counts
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
