"""Model-based property test of the stream projectors (issue 6).

Hypothesis generates a sequence of operations on customers, sales orders and activities. Each
operation yields the stream record DynamoDB would (old image, new image). The records are then
delivered to the projectors in a drawn order, with some delivered twice, and the projected writes
are applied with the writer's rules (``clientele.streams.writer``): per derived item the newest
stamp wins, and a source's contribution replaces what it contributed before.

Whatever the order, the result must equal a simple in-memory model computed from the final state
of the sources: each parent's live children, each live customer's phones and emails, live
customers per report dimension, and per project the count and value of its orders that are not
cancelled and the count of its activities. (tests/streams/test_replay.py proves the same against
moto's real stream and the DynamoDB writer.)
"""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from clientele.domain.reports import REPORT_DIMENSIONS
from clientele.store import keys
from clientele.store.writes import Contribution, IndexEntry
from clientele.streams.projectors import project

ORG = "acme"
PHONES = ["+1-212-555-0101", "+1-212-555-0102", "+1-212-555-0103"]
EMAILS = ["a@x.test", "b@x.test", "c@x.test"]
TYPES = ["type-r", "type-c", "type-g"]
STATES = ["active", "growth", "at_risk", "former"]
PROJECTS = ["p1", "p2"]

Image = dict[str, Any]
Record = tuple[Image | None, Image | None]


@dataclass
class Sources:
    """The source items as the table holds them, and the stream records their changes left."""

    customers: dict[str, Image] = field(default_factory=dict)
    orders: dict[str, Image] = field(default_factory=dict)
    activities: dict[str, Image] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)

    def _change(self, pool: dict[str, Image], item_id: str, new: Image | None) -> None:
        old = pool.get(item_id)
        if new is None:
            pool.pop(item_id, None)
        else:
            pool[item_id] = new
        self.records.append((old, new))

    def _next(self, old: Image, **changes: Any) -> Image:
        return {**old, **changes, "version": old["version"] + 1}

    # --- customers

    def create_customer(self, n: int, parent: int | None, phones: list[str], emails: list[str], kind: int,
                        state: int) -> None:
        customer_id = f"c{len(self.customers) + len(self.records)}"
        parent_id = self._live_customer(parent)
        image = {"PK": keys.customer_pk(ORG, customer_id), "SK": keys.CUSTOMER_SK, "entity": "customer",
                 "id": customer_id, "version": 1, "phones": phones, "emails": emails,
                 "customerTypeId": TYPES[kind], "accountState": STATES[state], "accountPriority": "standard",
                 "displayName": f"Customer {n}"}
        if parent_id:
            image["parentCustomerId"] = parent_id
        self._change(self.customers, customer_id, image)

    def _live_customer(self, pick: int | None) -> str | None:
        live = [cid for cid, image in self.customers.items() if not image.get("deletedAt")]
        return live[pick % len(live)] if live and pick is not None else None

    def _customer(self, pick: int) -> str | None:
        ids = list(self.customers)
        return ids[pick % len(ids)] if ids else None

    def edit_contact_points(self, pick: int, phones: list[str], emails: list[str]) -> None:
        if (cid := self._customer(pick)) is not None:
            self._change(self.customers, cid, self._next(self.customers[cid], phones=phones, emails=emails))

    def edit_dimensions(self, pick: int, kind: int, state: int) -> None:
        if (cid := self._customer(pick)) is not None:
            self._change(self.customers, cid, self._next(self.customers[cid], customerTypeId=TYPES[kind],
                                                         accountState=STATES[state]))

    def reparent(self, pick: int, parent: int | None) -> None:
        cid = self._customer(pick)
        parent_id = self._live_customer(parent)
        if cid is None or parent_id == cid:
            return
        image = self._next(self.customers[cid])
        image.pop("parentCustomerId", None)
        if parent_id:
            image["parentCustomerId"] = parent_id
        self._change(self.customers, cid, image)

    def delete_customer(self, pick: int) -> None:
        if (cid := self._customer(pick)) is not None and not self.customers[cid].get("deletedAt"):
            self._change(self.customers, cid, self._next(self.customers[cid], deletedAt="2026-12-01T00:00:00Z"))

    def restore_customer(self, pick: int) -> None:
        if (cid := self._customer(pick)) is not None and self.customers[cid].get("deletedAt"):
            image = self._next(self.customers[cid])
            del image["deletedAt"]
            self._change(self.customers, cid, image)

    # --- sales orders and activities (all under one customer that owns the projects)

    def create_order(self, project: int | None, cents: int) -> None:
        order_id = f"o{len(self.records)}"
        image = {"PK": keys.sales_order_pk(ORG, order_id), "SK": keys.ORDER_SK, "entity": "sales_order",
                 "id": order_id, "version": 1, "customerId": "owner", "status": "draft",
                 "total": Decimal(cents) / 100}
        if project is not None:
            image["customerProjectId"] = PROJECTS[project]
        self._change(self.orders, order_id, image)

    def change_order(self, pick: int, status: str | None, project: int | None, move: bool) -> None:
        ids = list(self.orders)
        if not ids:
            return
        order_id = ids[pick % len(ids)]
        image = self._next(self.orders[order_id])
        if status is not None and image["status"] != "cancelled":
            image["status"] = status
        if move:
            image.pop("customerProjectId", None)
            if project is not None:
                image["customerProjectId"] = PROJECTS[project]
        self._change(self.orders, order_id, image)

    def add_activity(self, project: int | None) -> None:
        activity_id = f"a{len(self.records)}"
        image = {"PK": keys.customer_pk(ORG, "owner"), "SK": keys.activity_sk(activity_id), "entity": "activity",
                 "id": activity_id, "version": 1, "customerId": "owner"}
        if project is not None:
            image["customerProjectId"] = PROJECTS[project]
        self._change(self.activities, activity_id, image)

    def remove_activity(self, pick: int) -> None:
        ids = list(self.activities)
        if ids:
            self._change(self.activities, ids[pick % len(ids)], None)


# --- what the writer would store, in memory --------------------------------------------------------------


@dataclass
class Derived:
    entries: dict[tuple[str, str], IndexEntry] = field(default_factory=dict)
    contributions: dict[tuple[str, str], Contribution] = field(default_factory=dict)

    def apply(self, record: Record) -> None:
        for write in project(*record):
            if isinstance(write, IndexEntry):
                kept = self.entries.get(write.key)
                if kept is None or write.stamp > kept.stamp:
                    self.entries[write.key] = write
            elif isinstance(write, Contribution):
                kept_share = self.contributions.get(write.key)
                if kept_share is None or write.stamp > kept_share.stamp:
                    self.contributions[write.key] = write

    def live_keys(self, entity: str) -> set[tuple[str, str]]:
        return {key for key, entry in self.entries.items() if entry.entity == entity and entry.live}

    def counters(self) -> dict[tuple[str, str, str], Decimal]:
        """Sum of every source's current share, per (PK, SK, attribute) of each counter item."""
        sums: dict[tuple[str, str, str], Decimal] = {}
        for contribution in self.contributions.values():
            for counter, shares in contribution.shares.items():
                for name, amount in shares.items():
                    sums[(counter.pk, counter.sk, name)] = sums.get((counter.pk, counter.sk, name), Decimal(0)) + amount
        return {key: value for key, value in sums.items() if value}

    def report(self) -> dict[tuple[str, str], int]:
        """Live customers per (dimension, value), summed over the counter's shards."""
        by_value: Tally[tuple[str, str]] = Tally()
        for contribution in self.contributions.values():
            for counter, shares in contribution.shares.items():
                labels = dict(counter.labels)
                if "dimension" in labels:
                    by_value[(labels["dimension"], labels["key"])] += int(shares["count"])
        return {key: count for key, count in by_value.items() if count}


# --- the model -----------------------------------------------------------------------------------------


def expected_children(sources: Sources) -> set[tuple[str, str]]:
    return {(keys.customer_pk(ORG, image["parentCustomerId"]), keys.child_sk(cid))
            for cid, image in sources.customers.items()
            if not image.get("deletedAt") and image.get("parentCustomerId")}


def expected_points(sources: Sources) -> set[tuple[str, str]]:
    live = [image for image in sources.customers.values() if not image.get("deletedAt")]
    points = {(keys.phone_pk(ORG, phone), keys.contact_point_sk(c["id"])) for c in live for phone in c["phones"]}
    return points | {(keys.email_pk(ORG, email), keys.contact_point_sk(c["id"])) for c in live for email in c["emails"]}


def expected_report(sources: Sources) -> dict[tuple[str, str], int]:
    tally: Tally[tuple[str, str]] = Tally()
    for image in sources.customers.values():
        if not image.get("deletedAt"):
            for dimension, field_name in REPORT_DIMENSIONS.items():
                tally[(dimension, str(image.get(field_name) or ""))] += 1
    return dict(tally)


def expected_rollups(sources: Sources) -> dict[tuple[str, str, str], Decimal]:
    sums: dict[tuple[str, str, str], Decimal] = {}

    def add(project: str, name: str, amount: Decimal) -> None:
        key = (keys.customer_pk(ORG, "owner"), keys.project_sk(project), name)
        sums[key] = sums.get(key, Decimal(0)) + amount

    for order in sources.orders.values():
        if order.get("customerProjectId") and order["status"] != "cancelled":
            add(order["customerProjectId"], "orderCount", Decimal(1))
            add(order["customerProjectId"], "orderValue", order["total"])
    for activity in sources.activities.values():
        if activity.get("customerProjectId"):
            add(activity["customerProjectId"], "activityCount", Decimal(1))
    return {key: value for key, value in sums.items() if value}


# --- the property --------------------------------------------------------------------------------------

pick = st.integers(min_value=0, max_value=50)
maybe_pick = st.none() | pick
phones = st.lists(st.sampled_from(PHONES), max_size=2, unique=True)
emails = st.lists(st.sampled_from(EMAILS), max_size=2, unique=True)
maybe_project = st.none() | st.integers(min_value=0, max_value=len(PROJECTS) - 1)
operations = st.one_of(
    st.tuples(st.just("create_customer"), pick, maybe_pick, phones, emails, st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("edit_contact_points"), pick, phones, emails),
    st.tuples(st.just("edit_dimensions"), pick, st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("reparent"), pick, maybe_pick),
    st.tuples(st.just("delete_customer"), pick),
    st.tuples(st.just("restore_customer"), pick),
    st.tuples(st.just("create_order"), maybe_project, st.integers(0, 10**7)),
    st.tuples(st.just("change_order"), pick, st.none() | st.sampled_from(["confirmed", "cancelled"]), maybe_project,
              st.booleans()),
    st.tuples(st.just("add_activity"), maybe_project),
    st.tuples(st.just("remove_activity"), pick),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(operations, min_size=1, max_size=40), st.data())
def test_any_delivery_order_with_duplicates_converges_on_the_model(steps: list[tuple[Any, ...]],
                                                                   data: st.DataObject) -> None:
    sources = Sources()
    for name, *arguments in steps:
        getattr(sources, name)(*arguments)
    delivered = data.draw(st.permutations(sources.records), label="delivery order")
    repeats = data.draw(st.lists(st.sampled_from(sources.records), max_size=len(sources.records)), label="redelivered") \
        if sources.records else []
    derived = Derived()
    for record in [*delivered, *repeats]:
        derived.apply(record)

    assert derived.live_keys("child_link") == expected_children(sources)
    assert derived.live_keys("contact_point") == expected_points(sources)
    assert derived.report() == expected_report(sources)
    rollups = {key: value for key, value in derived.counters().items() if key[0] == keys.customer_pk(ORG, "owner")}
    assert rollups == expected_rollups(sources)


@settings(max_examples=50, deadline=None)
@given(st.lists(operations, min_size=1, max_size=30))
def test_delivering_the_stream_again_changes_nothing(steps: list[tuple[Any, ...]]) -> None:
    sources = Sources()
    for name, *arguments in steps:
        getattr(sources, name)(*arguments)
    derived = Derived()
    for record in sources.records:
        derived.apply(record)
    once = (dict(derived.entries), dict(derived.contributions))
    for record in sources.records:
        derived.apply(record)
    assert (derived.entries, derived.contributions) == once
