"""The changes feed (SPEC §11): one entry per version of each customer, contact and sales order, from the
stream; a consumer that follows ``nextCursor`` misses no change and sees each entity's changes in version
order — also when parallel shards write entries out of order, and when a write lands late."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from clientele.services import changes as feed
from clientele.store import changes as store
from clientele.store.changes import FeedEntry
from local.invoke import Api
from tests.api.helpers import customer_body

from .conftest import StreamReader, drain

ORG = "acme"


@pytest.fixture
def client(stream: StreamReader, monkeypatch: pytest.MonkeyPatch) -> Api:
    monkeypatch.setenv("CHANGES_SETTLE_SECONDS", "0")  # hand out what is written at once
    return Api()


def follow(org: str = ORG, cursor: str | None = None, types: str | None = None, limit: int = 100) -> tuple[
        list[dict[str, Any]], str]:
    """Every entry after ``cursor``, following nextCursor until a page comes back empty."""
    seen: list[dict[str, Any]] = []
    while True:
        page = feed.page(org, cursor, types, limit)
        seen += page["items"]
        cursor = page["nextCursor"]
        if not page["items"]:
            return seen, cursor


def changes_of(entries: list[dict[str, Any]], entity_id: str) -> list[tuple[str, int]]:
    return [(entry["action"], entry["version"]) for entry in entries if entry["entityId"] == entity_id]


def new_customer(client: Api, **fields: Any) -> dict[str, Any]:
    reply = client.post("/customers", customer_body(ORG, **fields), org=ORG)
    assert reply.status == 201, reply.body
    return dict(reply.body)


# --- what the stream writes -----------------------------------------------------------------------------------


def test_each_version_of_a_customer_is_one_entry_in_version_order(client: Api, stream: StreamReader) -> None:
    customer = new_customer(client)
    path = f"/customers/{customer['id']}"
    client.patch(path, {"notes": "x"}, org=ORG, headers={"If-Match": '"1"'})
    client.delete(path, org=ORG, headers={"If-Match": '"2"'})
    client.post(f"{path}/restore", org=ORG, headers={"If-Match": '"3"'})
    drain(stream)

    entries, _ = follow()

    assert changes_of(entries, customer["id"]) == [("created", 1), ("updated", 2), ("deleted", 3), ("restored", 4)]
    assert {entry["type"] for entry in entries} == {"customer"}
    assert all(entry["customerId"] == customer["id"] for entry in entries)


def test_contacts_and_sales_orders_are_listed_with_their_customer(client: Api, stream: StreamReader) -> None:
    customer = new_customer(client)
    contact = client.post(f"/customers/{customer['id']}/contacts", {"name": "Ann"}, org=ORG).body
    order = client.post("/sales-orders", {"customerId": customer["id"], "lines": [
        {"description": "x", "quantity": 1, "unitPrice": "1.00"}]}, org=ORG).body
    drain(stream)

    entries, _ = follow(types="contact,sales_order")

    assert [(entry["type"], entry["entityId"], entry["customerId"]) for entry in entries] == [
        ("contact", contact["id"], customer["id"]), ("sales_order", order["id"], customer["id"])]


def test_a_deleted_contacts_entry_has_the_version_after_its_last(client: Api, stream: StreamReader) -> None:
    customer = new_customer(client)
    contact = client.post(f"/customers/{customer['id']}/contacts", {"name": "Ann"}, org=ORG).body
    client.delete(f"/customers/{customer['id']}/contacts/{contact['id']}", org=ORG, headers={"If-Match": '"1"'})
    drain(stream)

    entries, _ = follow(types="contact")

    assert changes_of(entries, contact["id"]) == [("created", 1), ("deleted", 2)]


def test_a_page_holds_at_most_limit_entries_and_the_cursor_goes_on_from_there(client: Api,
                                                                             stream: StreamReader) -> None:
    ids = [new_customer(client, companyName=f"C{n}")["id"] for n in range(5)]
    drain(stream)

    first = feed.page(ORG, None, None, 2)
    rest, _ = follow(cursor=first["nextCursor"])

    assert [entry["entityId"] for entry in first["items"] + rest] == ids
    assert len(first["items"]) == 2


def test_a_caught_up_consumer_polls_with_its_cursor_and_gets_only_what_is_new(client: Api,
                                                                             stream: StreamReader) -> None:
    new_customer(client)
    drain(stream)
    _, cursor = follow()
    later = new_customer(client)
    drain(stream)

    entries, _ = follow(cursor=cursor)

    assert [entry["entityId"] for entry in entries] == [later["id"]]


def test_a_replayed_record_writes_its_entry_again_with_the_same_id(client: Api, stream: StreamReader) -> None:
    from .conftest import deliver

    new_customer(client)
    records = stream.read()
    assert deliver(records) == [] and deliver(records) == []  # Lambda's redelivery after a failure

    entries, _ = follow()

    assert len(entries) == 2 and entries[0]["id"] == entries[1]["id"]  # at least once; the id tells duplicates


def test_another_orgs_changes_are_not_listed(client: Api, stream: StreamReader) -> None:
    new_customer(client)
    drain(stream)

    assert follow(org="globex")[0] == []


# --- out of order, late: the cursor never skips ---------------------------------------------------------------


class Clock:
    """Milliseconds the feed's writer and reader both read (the store's clock)."""

    def __init__(self, start: int) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock(table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    ticking = Clock(store.now_ms())
    monkeypatch.setattr(store, "now_ms", ticking)
    monkeypatch.setattr(store, "_last", [0, 0])  # the stamps another test's clock left behind
    monkeypatch.setenv("CHANGES_SETTLE_SECONDS", "2")
    yield ticking


def entry(entity: str, version: int, occurred_at: str) -> FeedEntry:
    return FeedEntry(ORG, f"{entity}:{version}", "customer", "created" if version == 1 else "updated", entity,
                     entity, version, occurred_at)


def write(*entries: FeedEntry) -> None:
    store.append(list(entries), settle_seconds=feed.settle_seconds(), retention_seconds=30 * 24 * 3600)


def test_a_change_a_parallel_shard_writes_late_is_not_skipped(clock: Clock) -> None:
    write(entry("x", 1, "2026-12-07T10:00:10Z"))
    clock.now += 3_000
    first = feed.page(ORG, None, None, 100)
    # Shard B processes a change that happened before x's, after the consumer read past x.
    write(entry("y", 1, "2026-12-07T10:00:05Z"))
    write(entry("x", 2, "2026-12-07T10:00:12Z"))
    clock.now += 3_000

    rest, _ = follow(cursor=first["nextCursor"])

    assert [item["entityId"] for item in first["items"]] == ["x"]
    assert [(item["entityId"], item["version"]) for item in rest] == [("y", 1), ("x", 2)]


def test_an_entry_is_handed_out_only_once_it_is_older_than_the_settle_window(clock: Clock) -> None:
    write(entry("x", 1, "2026-12-07T10:00:00Z"))

    early = feed.page(ORG, None, None, 100)
    clock.now += 2_001
    settled = feed.page(ORG, early["nextCursor"], None, 100)

    assert early["items"] == [] and [item["entityId"] for item in settled["items"]] == ["x"]


def test_an_entry_whose_write_lands_after_half_the_window_is_written_again_later(
        clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that returns late may have landed after a consumer read past its stamp; its copy, stamped
    after it landed, is still ahead of every cursor handed out."""
    from clientele import aws

    client = aws.dynamodb()
    reads: list[dict[str, Any]] = []

    def slow_write(**_: Any) -> None:  # the first write takes longer than the window, and a consumer reads meanwhile
        if not reads:
            clock.now += 2_500
            reads.append(feed.page(ORG, None, None, 100))

    client.meta.events.register("before-call.dynamodb.BatchWriteItem", slow_write)
    try:
        write(entry("x", 1, "2026-12-07T10:00:00Z"))
    finally:
        client.meta.events.unregister("before-call.dynamodb.BatchWriteItem", slow_write)
    clock.now += 2_500

    rest, _ = follow(cursor=reads[0]["nextCursor"])

    assert reads[0]["items"] == []  # it had not landed when that consumer read
    assert [item["entityId"] for item in rest] == ["x"]


@pytest.mark.parametrize("seed", range(12))
def test_consumers_polling_between_interleaved_shards_see_every_change_in_version_order(clock: Clock,
                                                                                       seed: int) -> None:
    rng = random.Random(seed)
    shards = {name: [entry(f"{name}{n}", version, "2026-12-07T10:00:00Z") for version in (1, 2, 3) for n in range(3)]
              for name in ("a", "b", "c")}
    for changes in shards.values():  # within a shard, an entity's versions arrive in order
        changes.sort(key=lambda change: change.version)
    cursor: str | None = None
    seen: list[dict[str, Any]] = []
    while any(shards.values()):
        shard = rng.choice([name for name, pending in shards.items() if pending])
        batch = [shards[shard].pop(0) for _ in range(min(rng.randint(1, 3), len(shards[shard])))]
        write(*batch)
        clock.now += rng.randint(0, 2_500)
        if rng.random() < 0.6:
            page = feed.page(ORG, cursor, None, rng.randint(1, 5))
            seen += page["items"]
            cursor = page["nextCursor"]
    clock.now += 2_001
    rest, _ = follow(cursor=cursor)
    seen += rest

    assert len(seen) == 27 and len({item["id"] for item in seen}) == 27
    for entity in {item["entityId"] for item in seen}:
        assert [item["version"] for item in seen if item["entityId"] == entity] == [1, 2, 3]
