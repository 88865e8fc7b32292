"""The changes feed: ``PK = ORG#<org>#CHANGES#<UTC day>``, ``SK = <ms>#<seq>#<entry id>`` keyed by the time
the stream processor *wrote* the entry (not when the change happened), kept 30 days (``ttl``).

Why processing time: stream shards are processed in parallel, so a change that happened earlier can be
written later than one a consumer has already read past. Keyed by the time it is written, a late entry
lands after every position handed out before it — as long as positions are only handed out for entries
older than a settle window and every entry lands within it. The writer checks the second half: an entry
whose write returned later than half the window after its stamp is written again with a new stamp (a
duplicate, which at-least-once allows; the reader drops nothing). docs/decisions.md has the argument.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from clientele import aws
from clientele.store import keys
from clientele.store.table import Item, from_item, table_name, to_item, values

ENTITY = "change"
DAY_ENTITY = "change_day"
_BATCH = 25  # BatchWriteItem's limit
_RESTAMPS = 3
# The last (stamp, next sequence) this container used: stamps never go back and, within one millisecond,
# sequences go on, so the entries one processor writes sort in the order it wrote them.
_last = [0, 0]


@dataclass(frozen=True)
class FeedEntry:
    org: str
    id: str
    type: str
    action: str
    entity_id: str
    customer_id: str | None
    version: int
    occurred_at: str


def day_of(stamp_ms: int) -> str:
    return datetime.fromtimestamp(stamp_ms / 1000, UTC).strftime("%Y-%m-%d")


def next_day(day: str) -> str:
    return (datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC) + timedelta(days=1)).strftime("%Y-%m-%d")


def day_start_ms(day: str) -> int:
    return int(datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _item(entry: FeedEntry, stamp_ms: int, sequence: int, retention_seconds: int) -> dict[str, Any]:
    return to_item({
        "PK": keys.changes_pk(entry.org, day_of(stamp_ms)), "SK": keys.change_sk(stamp_ms, sequence, entry.id),
        "entity": ENTITY, "id": entry.id, "type": entry.type, "action": entry.action, "entityId": entry.entity_id,
        "customerId": entry.customer_id, "version": entry.version, "occurredAt": entry.occurred_at,
        "ttl": stamp_ms // 1000 + retention_seconds,
    })


def _next_stamp(now: int, count: int) -> tuple[int, int]:
    """(stamp, first sequence) for ``count`` entries written now, after everything written before."""
    stamp, sequence = (now, 0) if now > _last[0] else (_last[0], _last[1])
    _last[:] = [stamp, sequence + count]
    return stamp, sequence


def _mark_days(client: Any, orgs: set[str], day: str, retention_seconds: int, marked: set[tuple[str, str]]) -> None:
    """Record that the orgs' feeds have entries on ``day``, before the entries themselves: a reader that
    finds no later day than the one it is on may then take it that there is none (``first_day_after``).
    One PutItem per org and day of a batch (the same item again: idempotent)."""
    for org in sorted(orgs):
        if (org, day) in marked:
            continue
        item = {"PK": keys.change_days_pk(org), "SK": keys.change_day_sk(day), "entity": DAY_ENTITY, "day": day,
                "ttl": day_start_ms(day) // 1000 + 24 * 60 * 60 + retention_seconds}
        client.put_item(TableName=table_name(), Item=to_item(item))
        marked.add((org, day))


def append(entries: Sequence[FeedEntry], *, settle_seconds: float, retention_seconds: int,
           clock: Callable[[], int] | None = None) -> int:
    """Write ``entries`` in order (25 a call, each call's entries one stamp and rising sequences), re-stamping a
    call's entries when it returned later than half the settle window after its stamp. Returns the
    entries written again that way."""
    tick = clock or now_ms
    client: Any = aws.dynamodb()
    rewritten = 0
    marked: set[tuple[str, str]] = set()
    for start in range(0, len(entries), _BATCH):
        chunk = entries[start:start + _BATCH]
        for attempt in range(_RESTAMPS + 1):
            stamp, first = _next_stamp(tick(), len(chunk))
            _mark_days(client, {entry.org for entry in chunk}, day_of(stamp), retention_seconds, marked)
            requests = [{"PutRequest": {"Item": _item(entry, stamp, first + n, retention_seconds)}}
                        for n, entry in enumerate(chunk)]
            while requests:
                response = client.batch_write_item(RequestItems={table_name(): requests})
                requests = (response.get("UnprocessedItems") or {}).get(table_name(), [])
            if settle_seconds <= 0 or tick() - stamp <= settle_seconds * 500:  # half the window, in ms
                break
            if attempt == _RESTAMPS:
                raise TimeoutError("changes feed writes keep landing after the settle window")
            rewritten += len(chunk)
    return rewritten


def read(org: str, day: str, after: str, *, before: str, types: Sequence[str] | None, limit: int) -> tuple[
        list[Item], str | None]:
    """One Query of one day's partition: entries with ``after < SK < before`` in order, filtered by type;
    returns them and the last sort key evaluated (None when the range was read to its end)."""
    request: dict[str, Any] = {
        "TableName": table_name(), "ConsistentRead": True, "Limit": limit,
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :after AND :before",
        "ExpressionAttributeValues": {":pk": {"S": keys.changes_pk(org, day)}, ":after": {"S": after},
                                      ":before": {"S": before}},
    }
    if types:
        placeholders = {f":t{i}": kind for i, kind in enumerate(types)}
        request["FilterExpression"] = f"#type IN ({', '.join(placeholders)})"
        request["ExpressionAttributeNames"] = {"#type": "type"}
        request["ExpressionAttributeValues"].update(values(placeholders))
    response = aws.dynamodb().query(**request)
    items = [from_item(raw) for raw in response.get("Items", []) if raw["SK"]["S"] not in (after, before)]
    last = response.get("LastEvaluatedKey")
    return items, (last["SK"]["S"] if last else None)


def first_day_after(org: str, day: str) -> str | None:
    """The first day after ``day`` on which the org's feed has entries (one Query), or None."""
    response = aws.dynamodb().query(
        TableName=table_name(), ConsistentRead=True, Limit=1,
        KeyConditionExpression="PK = :pk AND SK > :day",
        ExpressionAttributeValues=values({":pk": keys.change_days_pk(org), ":day": keys.change_day_sk(day)}))
    items = response.get("Items") or []
    return str(from_item(items[0])["day"]) if items else None
