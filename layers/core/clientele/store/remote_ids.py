"""Remote-id markers: ``PK = ORG#<org>#UNIQUE``, ``SK = REMOTE_ID#<remoteId>``, ``customerId``.

The marker is put with ``attribute_not_exists(PK)`` in the same TransactWriteItems as the customer
it names, so an org holds at most one customer per remote id however many upserts race: the loser's
transaction is cancelled on the marker and it reads the winner's id instead (SPEC §5.3).
"""

from __future__ import annotations

from typing import Any

from clientele.errors import Conflict
from clientele.store import customers as customer_store
from clientele.store import keys
from clientele.store.contacts import ContactChanges
from clientele.store.customers import GuardChange, HierarchyLinks
from clientele.store.table import Item, key, read_item, to_item
from clientele.store.transactions import Transaction


class RemoteIdTaken(Conflict):
    """Another save claimed this remote id first (the upsert retries as an update)."""

    def __init__(self) -> None:
        super().__init__("duplicate", "Another customer of this organisation has this remote id.")


def marker_key(org: str, remote_id: str) -> dict[str, Any]:
    return key(keys.unique_pk(org), keys.remote_id_sk(remote_id))


def customer_id_for(org: str, remote_id: str) -> str | None:
    item = read_item(marker_key(org, remote_id))
    return str(item["customerId"]) if item else None


def create_customer_with_remote_id(org: str, record: Item, guards: list[GuardChange], links: HierarchyLinks,
                                   contacts: ContactChanges | None = None) -> None:
    """The remote-id marker and the customer (with all its create writes): one transaction."""
    tx = Transaction()
    tx.put(to_item({"PK": keys.unique_pk(org), "SK": keys.remote_id_sk(record["remoteId"]), "entity": "unique",
                    "customerId": record["id"], "createdAt": record["createdAt"]}),
           condition="attribute_not_exists(PK)", on_fail=lambda _old: RemoteIdTaken())
    customer_store.create_customer(org, record, guards, links, contacts, tx=tx)
