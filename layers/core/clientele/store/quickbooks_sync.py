"""The QuickBooks sync job's items, all under the org's partition ``ORG#<org>``:

* ``SK = QBO_SYNC_LEASE`` — one sync per org at a time: put only when absent or expired
  (``expiresAt`` epoch seconds), deleted by its owner when the run ends; ``ttl`` clears a crashed
  run's lease. QuickBooks rotates refresh tokens, so two concurrent runs would lose one.
* ``SK = QBO_SYNC_STATE`` — ``realmId``, the CDC watermark ``changedSince``, ``lastRunAt``,
  ``lastSuccessAt``, ``mode``, ``status``, ``counts`` and the first row errors; ``resume`` while a
  full resync continues in a further invocation; ``fullRequested`` when a full resync was asked for
  while a run held the lease; ``warnings`` (values left out, e.g. an unknown country) and
  ``refreshTokenExpiresAt`` (when the stored refresh token dies) as the last run saw them;
  ``pendingMerges`` — ``[{deletedId, survivorId, receivedAt}]``, merges QuickBooks notified (the
  webhook appends them, :func:`record_merges`) waiting for the local merge (SPEC §10/§13). Notifications
  are retried by Intuit, so readers fold duplicates by ``deletedId`` (the latest wins).

The two sort keys are adjacent (``QBO_SYNC_LEASE`` < ``QBO_SYNC_STATE``, nothing between them), so
:func:`get_progress_and_settings` reads both, and the settings beside them, with one Query (``SK BETWEEN``)
for ``GET /integrations/quickbooks/sync``.

The orgs with the integration on are listed from the sparse GSI1 partition ``QBO_REALM#ENABLED``
(see :mod:`clientele.store.settings`), never by a Scan.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from clientele import aws
from clientele.errors import ClienteleError
from clientele.store import keys
from clientele.store.table import Item, from_item, key, read_item, table_name, to_item, values
from clientele.store.transactions import Transaction


def _state_key(org: str) -> dict[str, Any]:
    return key(keys.org_pk(org), keys.QBO_SYNC_STATE_SK)


def _lease_key(org: str) -> dict[str, Any]:
    return key(keys.org_pk(org), keys.QBO_SYNC_LEASE_SK)


def acquire_lease(org: str, owner: str, seconds: float) -> bool:
    """True when this owner now holds the org's sync lease; False while another run holds it."""
    client = aws.dynamodb()
    now = time.time()
    item = {"PK": keys.org_pk(org), "SK": keys.QBO_SYNC_LEASE_SK, "entity": "qbo_sync_lease", "owner": owner,
            "expiresAt": int(now + seconds), "ttl": int(now + seconds + 86_400)}
    try:
        client.put_item(TableName=table_name(), Item=to_item(item),
                        ConditionExpression="attribute_not_exists(PK) OR expiresAt < :now",
                        ExpressionAttributeValues=values({":now": int(now)}))
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def release_lease(org: str, owner: str) -> None:
    client = aws.dynamodb()
    # Expired and taken over by another run: it is theirs now, leave it.
    with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
        client.delete_item(TableName=table_name(), Key=_lease_key(org), ConditionExpression="#owner = :me",
                           ExpressionAttributeNames={"#owner": "owner"},
                           ExpressionAttributeValues=values({":me": owner}))


def get_state(org: str) -> Item | None:
    return read_item(_state_key(org))


def get_progress_and_settings(org: str) -> tuple[Item | None, Item | None, Item | None]:
    """(state, lease, settings) in one consistent Query: the three sit next to each other in the org
    partition (``QBO_SYNC_LEASE`` < ``QBO_SYNC_STATE`` < ``SEQ#SO`` < ``SETTINGS``), so the status read
    shows the settings as they are now without a second call."""
    response = aws.dynamodb().query(
        TableName=table_name(), ConsistentRead=True,
        KeyConditionExpression="PK = :pk AND SK BETWEEN :lease AND :settings",
        ExpressionAttributeValues=values({":pk": keys.org_pk(org), ":lease": keys.QBO_SYNC_LEASE_SK,
                                          ":settings": keys.SETTINGS_SK}),
    )
    found = {str(item["SK"]): item for item in map(from_item, response.get("Items", []))}
    return found.get(keys.QBO_SYNC_STATE_SK), found.get(keys.QBO_SYNC_LEASE_SK), found.get(keys.SETTINGS_SK)


def lease_held(lease: Item | None) -> bool:
    """True while ``lease`` (as :func:`get_progress_and_settings` returns it) has not expired — the very test
    :func:`acquire_lease` applies (a lease is taken over only once ``expiresAt < now``)."""
    return lease is not None and int(lease.get("expiresAt") or 0) >= int(time.time())


def update_state(org: str, changes: dict[str, Any], remove: tuple[str, ...] = ()) -> None:
    """SET the given attributes (creating the item on the first run); REMOVE the ``remove`` ones."""
    aws.dynamodb().update_item(TableName=table_name(), Key=_state_key(org), **_state_update(changes, remove))


def finish_run(org: str, owner: str, changes: dict[str, Any], remove: tuple[str, ...] = (), *,
               watch_full_request: bool = False) -> bool:
    """The run's last state write and the release of its lease, in one transaction.

    Written apart, a reader between the two saw the outcome (``failed``, ``completed``) while the
    lease still said the run goes on. Should the lease have expired and been taken over (only after a
    crash: the lease outlasts any invocation), the state is written alone and the lease left to its
    new owner — as :func:`release_lease` does.

    ``watch_full_request``: the write is conditional on no ``fullRequested`` (see
    :func:`request_full`); True is returned when one arrived during the run, which then wrote its
    outcome leaving the flag for the full resync to clear.
    """
    update = _state_update(changes, remove)
    transaction = Transaction().update(
        _state_key(org), update["UpdateExpression"], names=update["ExpressionAttributeNames"],
        values=update["ExpressionAttributeValues"],
        condition="attribute_not_exists(fullRequested)" if watch_full_request else None,
        on_fail=lambda _old: _FullRequested(org))
    transaction.delete(_lease_key(org), condition="#owner = :me", names={"#owner": "owner"},
                       values=values({":me": owner}), on_fail=lambda _old: _LeaseTakenOver(org))
    try:
        transaction.commit()
    except _FullRequested:
        finish_run(org, owner, changes, remove)
        return True
    except _LeaseTakenOver:
        update_state(org, changes, remove)
    return False


def request_full(org: str) -> None:
    """Remember that a full resync was asked for while a run held the lease: the run, when it ends,
    starts one (or, had it crashed, the next run to start resyncs in full)."""
    update_state(org, {"fullRequested": True})


def record_merges(org: str, merges: list[dict[str, str]]) -> None:
    """Append merges to the state's ``pendingMerges`` (the item is created if the sync never ran)."""
    aws.dynamodb().update_item(
        TableName=table_name(), Key=_state_key(org),
        UpdateExpression="SET #merges = list_append(if_not_exists(#merges, :none), :new), "
                         "#entity = if_not_exists(#entity, :entity)",
        ExpressionAttributeNames={"#merges": "pendingMerges", "#entity": "entity"},
        ExpressionAttributeValues=values({":none": [], ":new": merges, ":entity": "qbo_sync_state"}),
    )


class _FullRequested(ClienteleError):
    """A full resync was requested during the run (internal: never reaches a client)."""


class _LeaseTakenOver(ClienteleError):
    """The run's lease expired and another run holds it now (internal: never reaches a client)."""


def _state_update(changes: dict[str, Any], remove: tuple[str, ...]) -> dict[str, Any]:
    changes = {**changes, "entity": "qbo_sync_state"}
    to_set = {name: value for name, value in changes.items() if value is not None}
    to_remove = [name for name in (*remove, *(n for n, v in changes.items() if v is None)) if name not in to_set]
    names = {f"#s{i}": name for i, name in enumerate(to_set)}
    update = "SET " + ", ".join(f"#s{i} = :s{i}" for i in range(len(to_set)))
    if to_remove:
        names.update({f"#r{i}": name for i, name in enumerate(to_remove)})
        update += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(to_remove)))
    return {"UpdateExpression": update, "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values({f":s{i}": value for i, value in enumerate(to_set.values())})}


def enabled_realms() -> Iterator[tuple[str, str]]:
    """(org, realm id) of every org whose QuickBooks integration is on (eventually consistent)."""
    pk_name, sk_name = keys.INDEX_KEYS[keys.QBO_SYNC_INDEX]
    request: dict[str, Any] = {
        "TableName": table_name(), "IndexName": keys.QBO_SYNC_INDEX,
        "KeyConditionExpression": "#pk = :pk", "ExpressionAttributeNames": {"#pk": pk_name},
        "ExpressionAttributeValues": values({":pk": keys.QBO_ENABLED_REALMS}),
    }
    client = aws.dynamodb()
    while True:
        page = client.query(**request)
        for raw in page.get("Items", []):
            item = from_item(raw)
            if item.get("org") and item.get(sk_name):
                yield str(item["org"]), str(item[sk_name])
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
