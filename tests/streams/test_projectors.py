"""The projectors as pure functions: (old image, new image) -> writes. No table, no stream."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from clientele.store import keys
from clientele.store.writes import Contribution, Counter, IndexEntry
from clientele.streams import projectors
from clientele.streams.writer import Batch, difference
from clientele.streams.writes import ClearReferences, DomainEvent

ORG = "acme"
CID = "c0000000-0000-4000-8000-000000000001"
PARENT = "p0000000-0000-4000-8000-000000000001"
OTHER_PARENT = "p0000000-0000-4000-8000-000000000002"
PROJECT = "j0000000-0000-4000-8000-000000000001"
DELETED_AT = "2026-01-01T00:00:00Z"


def customer(version: int = 1, **fields: Any) -> dict[str, Any]:
    image = {"PK": keys.customer_pk(ORG, CID), "SK": "CUSTOMER", "entity": "customer", "id": CID,
             "displayName": "Acme", "customerTypeId": "type-1", "accountState": "active",
             "accountPriority": "standard", "version": Decimal(version), "emails": [], "phones": [],
             "GSI1PK": "ORG#acme#CUSTOMERS", "GSI1SK": "acme#" + CID, "liveChildren": Decimal(0)}
    image.update(fields)
    return {k: v for k, v in image.items() if v is not None}


def sales_order(version: int = 1, **fields: Any) -> dict[str, Any]:
    image = {"PK": keys.sales_order_pk(ORG, "o1"), "SK": "ORDER", "entity": "sales_order", "id": "o1",
             "number": "SO-000001", "customerId": CID, "status": "draft", "total": Decimal("12.50"),
             "subtotal": Decimal("12.50"), "discountAmount": Decimal("0.00"), "version": Decimal(version),
             "customerSnapshot": {"emails": ["a@acme.test"]}}
    image.update(fields)
    return {k: v for k, v in image.items() if v is not None}


def activity(version: int = 1, **fields: Any) -> dict[str, Any]:
    image = {"PK": keys.customer_pk(ORG, CID), "SK": "ACTIVITY#a1", "entity": "activity", "id": "a1",
             "customerId": CID, "type": "note", "body": "hi", "version": Decimal(version)}
    image.update(fields)
    return {k: v for k, v in image.items() if v is not None}


def all_of[W](kind: type[W], writes: Sequence[object]) -> list[W]:
    """The writes, each of which must be a ``kind``."""
    assert all(isinstance(write, kind) for write in writes), writes
    return [write for write in writes if isinstance(write, kind)]


# --- stamps --------------------------------------------------------------------------------------------


def test_stamp_is_twice_the_version_and_a_removal_follows_its_version() -> None:
    assert projectors.stamp_of(None, customer(3)) == 6
    assert projectors.stamp_of(customer(3), None) == 7


def test_change_that_did_not_bump_the_version_projects_nothing() -> None:
    assert projectors.project(customer(2, parentCustomerId=PARENT),
                              customer(2, parentCustomerId=PARENT, liveChildren=Decimal(1))) == []


def test_items_that_are_not_sources_project_nothing() -> None:
    link = {"PK": keys.customer_pk(ORG, PARENT), "SK": keys.child_sk(CID), "entity": "child_link", "stamp": 2}
    assert projectors.project(None, link) == []


def test_image_outside_an_organisation_is_refused() -> None:
    with pytest.raises(ValueError):
        projectors.project(None, customer(1, PK="CUST#x"))


# --- children index ------------------------------------------------------------------------------------


def test_child_with_a_parent_gets_a_link_under_the_parent() -> None:
    (link,) = all_of(IndexEntry, projectors.children_index(None, customer(1, parentCustomerId=PARENT)))
    assert link.key == (keys.customer_pk(ORG, PARENT), keys.child_sk(CID))
    assert link.live and link.stamp == 2 and link.attributes is not None and link.attributes["displayName"] == "Acme"


def test_child_link_carries_no_keys_index_keys_or_counters() -> None:
    (link,) = all_of(IndexEntry, projectors.children_index(None, customer(1, parentCustomerId=PARENT)))
    assert link.attributes is not None
    assert not {"PK", "SK", "entity", "GSI1PK", "GSI1SK", "liveChildren"} & set(link.attributes)


def test_customer_without_parent_has_no_link() -> None:
    assert projectors.children_index(None, customer(1)) == []


def test_reparenting_tombstones_the_old_link_and_links_the_new_parent() -> None:
    writes = all_of(IndexEntry, projectors.children_index(customer(1, parentCustomerId=PARENT),
                                                          customer(2, parentCustomerId=OTHER_PARENT)))
    assert [(w.pk, w.live, w.stamp) for w in writes] == [(keys.customer_pk(ORG, PARENT), False, 4),
                                                         (keys.customer_pk(ORG, OTHER_PARENT), True, 4)]


def test_soft_delete_tombstones_the_link() -> None:
    (link,) = all_of(IndexEntry, projectors.children_index(customer(1, parentCustomerId=PARENT),
                                                           customer(2, parentCustomerId=PARENT, deletedAt=DELETED_AT)))
    assert not link.live and link.stamp == 4


def test_restore_links_the_child_again() -> None:
    (link,) = all_of(IndexEntry, projectors.children_index(
        customer(2, parentCustomerId=PARENT, deletedAt=DELETED_AT), customer(3, parentCustomerId=PARENT)))
    assert link.live and link.stamp == 6


def test_removal_tombstones_the_link_after_the_last_version() -> None:
    (link,) = all_of(IndexEntry, projectors.children_index(customer(3, parentCustomerId=PARENT), None))
    assert not link.live and link.stamp == 7


# --- contact points ------------------------------------------------------------------------------------


def test_new_customer_indexes_each_phone_and_lower_cased_email() -> None:
    new = customer(1, phones=["+1-212-555-0101"], emails=["a@acme.test"])
    writes = all_of(IndexEntry, projectors.contact_points(None, new))
    assert sorted(w.pk for w in writes) == [keys.email_pk(ORG, "a@acme.test"), keys.phone_pk(ORG, "+1-212-555-0101")]
    assert all(w.live and w.sk == keys.contact_point_sk(CID) for w in writes)


def test_edit_indexes_only_what_changed() -> None:
    writes = all_of(IndexEntry, projectors.contact_points(customer(1, emails=["a@acme.test", "b@acme.test"]),
                                                          customer(2, emails=["b@acme.test", "c@acme.test"])))
    assert {(w.pk, w.live) for w in writes} == {(keys.email_pk(ORG, "c@acme.test"), True),
                                                (keys.email_pk(ORG, "a@acme.test"), False)}


def test_deleted_customer_leaves_the_contact_point_index() -> None:
    writes = all_of(IndexEntry, projectors.contact_points(customer(1, phones=["+1-212-555-0101"]),
                                                          customer(2, phones=["+1-212-555-0101"], deletedAt=DELETED_AT)))
    assert [(w.live, w.stamp) for w in writes] == [(False, 4)]


# --- report counters -----------------------------------------------------------------------------------


def test_live_customer_counts_once_in_each_report_dimension() -> None:
    (contribution,) = all_of(Contribution, projectors.report_counters(None, customer(1, customerSegmentId="seg-1")))
    sks = sorted(counter.sk.rsplit("#", 1)[0] for counter in contribution.shares)
    assert sks == ["COUNT#accountPriority#standard", "COUNT#accountState#active", "COUNT#customerCategory#-",
                   "COUNT#customerSegment#seg-1", "COUNT#customerType#type-1", "COUNT#paymentTerms#-"]
    assert all(amounts == {"count": 1} for amounts in contribution.shares.values())


def test_customer_counts_on_one_stable_shard() -> None:
    first = all_of(Contribution, projectors.report_counters(None, customer(1)))[0]
    again = all_of(Contribution, projectors.report_counters(None, customer(1)))[0]
    assert {c.sk for c in first.shares} == {c.sk for c in again.shares}
    assert len({c.sk.rsplit("#", 1)[1] for c in first.shares}) == 1


def test_edit_outside_the_report_dimensions_changes_no_counter() -> None:
    assert projectors.report_counters(customer(1), customer(2, notes="changed")) == []


def test_deleted_customer_contributes_nothing() -> None:
    (contribution,) = all_of(Contribution, projectors.report_counters(customer(1),
                                                                      customer(2, deletedAt=DELETED_AT)))
    assert contribution.shares == {} and contribution.stamp == 4


# --- project rollups -----------------------------------------------------------------------------------


def test_order_in_a_project_contributes_its_count_and_total() -> None:
    (contribution,) = all_of(Contribution, projectors.project_rollups(None, sales_order(customerProjectId=PROJECT)))
    ((counter, amounts),) = contribution.shares.items()
    assert counter.key == (keys.customer_pk(ORG, CID), keys.project_sk(PROJECT)) and counter.must_exist
    assert amounts == {"orderCount": 1, "orderValue": Decimal("12.50")}
    assert contribution.key == (keys.customer_pk(ORG, CID), keys.rollup_sk("ORDER", "o1"))


def test_cancelled_order_contributes_nothing() -> None:
    cancelled = sales_order(2, customerProjectId=PROJECT, status="cancelled")
    (contribution,) = all_of(Contribution, projectors.project_rollups(sales_order(1, customerProjectId=PROJECT), cancelled))
    assert contribution.shares == {}


def test_confirming_an_order_changes_no_rollup() -> None:
    assert projectors.project_rollups(sales_order(1, customerProjectId=PROJECT),
                                      sales_order(2, customerProjectId=PROJECT, status="confirmed")) == []


def test_order_outside_any_project_contributes_nothing() -> None:
    assert projectors.project_rollups(None, sales_order()) == []


def test_activity_in_a_project_counts_once() -> None:
    (contribution,) = all_of(Contribution, projectors.project_rollups(None, activity(customerProjectId=PROJECT)))
    assert list(contribution.shares.values()) == [{"activityCount": 1}]


def test_deleted_activity_leaves_a_final_empty_contribution() -> None:
    (contribution,) = all_of(Contribution, projectors.project_rollups(activity(2, customerProjectId=PROJECT), None))
    assert contribution.shares == {} and contribution.final and contribution.stamp == 5


# --- domain events -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "expected"), [
    (None, customer(1), "CustomerCreated"),
    (customer(1), customer(2, notes="x"), "CustomerUpdated"),
    (customer(1), customer(2, deletedAt=DELETED_AT), "CustomerDeleted"),
    (customer(2, deletedAt=DELETED_AT), customer(3), "CustomerRestored"),
    (None, sales_order(), "SalesOrderCreated"),
    (sales_order(1), sales_order(2, status="confirmed"), "SalesOrderUpdated"),
])
def test_domain_event_type_follows_the_change(old: dict[str, Any] | None, new: dict[str, Any] | None,
                                             expected: str) -> None:
    (event,) = all_of(DomainEvent, projectors.domain_events(old, new))
    assert event.detail_type == expected


def test_customer_event_carries_every_email_and_an_event_id() -> None:
    (event,) = all_of(DomainEvent, projectors.domain_events(None, customer(1, emails=["a@acme.test", "b@acme.test"])))
    assert event.detail["emails"] == ["a@acme.test", "b@acme.test"]
    assert event.detail["eventId"] == f"CustomerCreated:{CID}:1"
    assert event.detail["customer"]["version"] == 1


def test_order_event_asks_for_the_customers_current_emails() -> None:
    (event,) = all_of(DomainEvent, projectors.domain_events(None, sales_order()))
    assert event.customer_emails_of == (ORG, CID)
    assert event.detail["salesOrder"]["total"] == "12.50"


def test_other_entities_publish_no_event() -> None:
    assert projectors.domain_events(None, activity()) == []


# --- SET NULL ------------------------------------------------------------------------------------------


def test_deleted_segment_asks_to_clear_its_references() -> None:
    entry = {"PK": "ORG#acme", "SK": "TAX#segment#s1", "entity": "taxonomy", "kind": "segment", "id": "s1"}
    assert projectors.set_null(entry, None) == [ClearReferences(ORG, "segment", "s1")]


def test_deleted_customer_type_is_restrict_not_set_null() -> None:
    entry = {"PK": "ORG#acme", "SK": "TAX#type#t1", "entity": "taxonomy", "kind": "type", "id": "t1"}
    assert projectors.set_null(entry, None) == []


# --- coalescing and deltas -----------------------------------------------------------------------------


def test_batch_keeps_the_newest_stamp_per_derived_item_and_every_source() -> None:
    batch = Batch()
    batch.add("seq-2", [IndexEntry("P", "S", "child_link", 4, {"v": 2})])
    batch.add("seq-1", [IndexEntry("P", "S", "child_link", 2, {"v": 1})])
    entry, sources = batch.entries[("P", "S")]
    assert entry.stamp == 4 and sources == {"seq-1", "seq-2"}


def test_batch_collects_events_and_contributions_separately() -> None:
    batch = Batch()
    batch.add("s", [DomainEvent("CustomerCreated", {}), Contribution("P", "ROLLUP#REPORT", 2, {})])
    assert len(batch.events) == 1 and len(batch.contributions) == 1


def test_difference_moves_a_share_between_counters() -> None:
    first, second = Counter("P", "PROJECT#1", True), Counter("P", "PROJECT#2", True)
    deltas = difference({second: {"orderCount": Decimal(1)}}, {first: {"orderCount": Decimal(1)}})
    assert deltas == {first.key: (first, {"orderCount": -1}), second.key: (second, {"orderCount": 1})}


def test_difference_of_equal_shares_is_empty() -> None:
    counter = Counter("P", "PROJECT#1", True)
    assert difference({counter: {"orderValue": Decimal("5.00")}}, {counter: {"orderValue": Decimal("5.0")}}) == {}
