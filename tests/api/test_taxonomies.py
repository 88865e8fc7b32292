"""The four taxonomy lists (SPEC §4.2) through the real handlers: customer types, segments,
brokers and categories share one set of rules; types are RESTRICT, the others SET NULL."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from clientele import aws
from clientele.services import orgs
from clientele.store import keys
from clientele.store import taxonomies as taxonomy_store
from clientele.store.table import table_name, to_item
from local.invoke import Verbs
from tests.api.parts import assert_problem

from .helpers import customer_body, default_type_id

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

pytestmark = pytest.mark.over_http

LISTS = ["/customer-types", "/customer-segments", "/brokers", "/customer-categories"]
SET_NULL_LISTS = {"/customer-segments": "customerSegmentId", "/brokers": "brokerId",
                  "/customer-categories": "customerCategoryId"}


def create(api: Verbs, path: str, name: str = "Gold", org: str = "acme", **fields: Any) -> dict[str, Any]:
    reply = api.post(path, {"name": name, **fields}, org=org)
    assert reply.status == 201, reply.body
    return reply.body


def version(number: int) -> dict[str, str]:
    return {"If-Match": f'"{number}"'}


def names(api: Verbs, path: str, org: str = "acme") -> list[str]:
    return [entry["name"] for entry in api.get(path, org=org).body["items"]]


def create_customer(api: Verbs, **fields: Any) -> dict[str, Any]:
    reply = api.post("/customers", customer_body(**fields))
    assert reply.status == 201, reply.body
    return reply.body


# --- reading ------------------------------------------------------------------------------------------


def test_a_new_org_has_the_three_default_customer_types(api: Verbs) -> None:
    items = api.get("/customer-types").body["items"]
    assert [(e["name"], e["color"], e["sortOrder"], e["hierarchyRole"]) for e in items] == [
        ("Residential", "green", 0, "none"), ("Commercial", "blue", 1, "none"), ("Government", "yellow", 2, "none"),
    ]
    assert all(entry["version"] == 1 and entry["isActive"] for entry in items)


@pytest.mark.parametrize("path", list(SET_NULL_LISTS))
def test_the_other_lists_start_empty(api: Verbs, path: str) -> None:
    assert api.get(path).body == {"items": []}


def test_list_is_ordered_by_sort_order(api: Verbs) -> None:
    create(api, "/customer-segments", "Late", sortOrder=9)
    create(api, "/customer-segments", "Early", sortOrder=2)
    create(api, "/customer-segments", "Middle", sortOrder=5)
    assert names(api, "/customer-segments") == ["Early", "Middle", "Late"]


def test_get_returns_the_entry_with_its_etag(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    reply = api.get(f"/customer-segments/{created['id']}")
    assert reply.status == 200
    assert reply.etag == '"1"'
    assert reply.body == created


def test_a_segment_has_only_the_shared_fields(api: Verbs) -> None:
    body = create(api, "/customer-segments")
    assert set(body) == {"id", "name", "sortOrder", "isActive", "createdAt", "version"}


@pytest.mark.parametrize("path", LISTS)
def test_a_path_id_that_is_not_a_uuid_is_404(api: Verbs, path: str) -> None:
    reply = api.get(f"{path}/not-a-uuid")
    assert reply.status == 404
    assert reply.body["code"] == "not_found"


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_id_is_404(api: Verbs, path: str) -> None:
    assert_problem(api.get(f"{path}/{uuid.uuid4()}"), 404, "not_found")


def test_another_orgs_entry_is_404(api: Verbs) -> None:
    theirs = create(api, "/brokers", org="globex")
    assert_problem(api.get(f"/brokers/{theirs['id']}"), 404, "not_found")
    assert_problem(api.patch(f"/brokers/{theirs['id']}", {"name": "Mine"}, headers=version(1)), 404, "not_found")
    assert_problem(api.delete(f"/brokers/{theirs['id']}", headers=version(1)), 404, "not_found")


def test_an_entry_of_another_list_is_404(api: Verbs) -> None:
    assert_problem(api.get(f"/customer-segments/{default_type_id()}"), 404, "not_found")


# --- creating -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_create_returns_201_with_location_and_etag(api: Verbs, path: str) -> None:
    reply = api.post(path, {"name": "Platinum"})
    assert reply.status == 201
    assert reply.headers["Location"] == f"{path}/{reply.body['id']}"
    assert reply.etag == '"1"'
    assert reply.body["version"] == 1
    assert reply.body["isActive"] is True
    assert reply.body["createdAt"].endswith("Z")


def test_first_entry_of_an_empty_list_gets_sort_order_zero(api: Verbs) -> None:
    assert create(api, "/customer-categories")["sortOrder"] == 0


def test_new_entry_goes_last(api: Verbs) -> None:
    create(api, "/customer-categories", "A", sortOrder=7)
    assert create(api, "/customer-categories", "B")["sortOrder"] == 8


def test_a_given_sort_order_is_kept(api: Verbs) -> None:
    assert create(api, "/customer-types", "Industrial", sortOrder=10)["sortOrder"] == 10


def test_a_new_type_defaults_to_gray_with_no_hierarchy_role(api: Verbs) -> None:
    body = create(api, "/customer-types", "Industrial")
    assert (body["color"], body["hierarchyRole"]) == ("gray", "none")


def test_a_new_type_takes_a_color_and_a_hierarchy_role(api: Verbs) -> None:
    body = create(api, "/customer-types", "Head office", color="purple", hierarchyRole="purchaser")
    assert (body["color"], body["hierarchyRole"]) == ("purple", "purchaser")


def test_type_names_are_unique_case_insensitively(api: Verbs) -> None:
    reply = api.post("/customer-types", {"name": "  commercial "})
    assert reply.status == 409
    assert reply.body["code"] == "duplicate"
    assert [error["field"] for error in reply.body["errors"]] == ["name"]


def test_names_compare_after_unicode_case_folding(api: Verbs) -> None:
    create(api, "/customer-segments", "Straße")
    reply = api.post("/customer-segments", {"name": "STRASSE"})
    assert reply.status == 409
    assert reply.body["code"] == "duplicate"


def test_the_same_name_may_be_used_in_another_list(api: Verbs) -> None:
    assert api.post("/customer-segments", {"name": "Commercial"}).status == 201


def test_the_same_name_may_be_used_by_another_org(api: Verbs) -> None:
    create(api, "/brokers", "Ace Brokers")
    assert api.post("/brokers", {"name": "Ace Brokers"}, org="globex").status == 201


def test_sort_order_is_unique_within_a_list(api: Verbs) -> None:
    reply = api.post("/customer-types", {"name": "Industrial", "sortOrder": 1})
    assert reply.status == 409
    assert reply.body["code"] == "duplicate"
    assert [error["field"] for error in reply.body["errors"]] == ["sortOrder"]


def seed_categories(count: int, org: str = "acme") -> None:
    """``count`` categories written straight to the table (99 POSTs would be slow under moto)."""
    items = [{"PK": keys.org_pk(org), "SK": keys.taxonomy_sk("category", entry_id), "entity": "taxonomy",
              "kind": "category", "id": entry_id, "name": f"Category {n}", "sortOrder": n, "isActive": True,
              "version": 1}
             for n, entry_id in enumerate(str(uuid.uuid4()) for _ in range(count))]
    for start in range(0, len(items), 25):
        batch: list[WriteRequestTypeDef] = [{"PutRequest": {"Item": to_item(item)}} for item in items[start:start + 25]]
        aws.dynamodb().batch_write_item(RequestItems={table_name(): batch})


@pytest.mark.in_process
def test_a_list_holds_at_most_99_entries(api: Verbs) -> None:
    seed_categories(98)
    assert api.post("/customer-categories", {"name": "The 99th"}).status == 201
    reply = api.post("/customer-categories", {"name": "One too many"})
    assert reply.status == 422
    assert reply.body["code"] == "validation_error"
    assert len(names(api, "/customer-categories")) == 99


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_name_must_be_1_to_100_characters(api: Verbs, name: str) -> None:
    reply = api.post("/customer-segments", {"name": name})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["name"]


def test_name_is_required(api: Verbs) -> None:
    reply = api.post("/customer-segments", {"sortOrder": 1})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["name"]


@pytest.mark.parametrize("sort_order", [-1, 1.5, "first"])
def test_sort_order_must_be_a_whole_number_of_at_least_zero(api: Verbs, sort_order: object) -> None:
    reply = api.post("/customer-segments", {"name": "Gold", "sortOrder": sort_order})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["sortOrder"]


def test_type_color_must_be_a_known_color(api: Verbs) -> None:
    reply = api.post("/customer-types", {"name": "Industrial", "color": "chartreuse"})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["color"]


def test_hierarchy_role_must_be_none_purchaser_or_member(api: Verbs) -> None:
    reply = api.post("/customer-types", {"name": "Industrial", "hierarchyRole": "boss"})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["hierarchyRole"]


def test_a_segment_takes_no_color(api: Verbs) -> None:
    reply = api.post("/customer-segments", {"name": "Gold", "color": "blue"})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["color"]


def test_broker_default_fee_accepts_a_numeric_string_and_reads_as_a_number(api: Verbs) -> None:
    body = create(api, "/brokers", defaultFeePercent="12.5")
    assert body["defaultFeePercent"] == 12.5
    assert '"defaultFeePercent":12.5' in api.get(f"/brokers/{body['id']}").raw.replace(" ", "")


def test_broker_default_fee_is_optional(api: Verbs) -> None:
    assert create(api, "/brokers")["defaultFeePercent"] is None


@pytest.mark.parametrize("fee", [-1, 100.01, "lots", "NaN"])
def test_broker_default_fee_must_be_0_to_100(api: Verbs, fee: object) -> None:
    reply = api.post("/brokers", {"name": "Ace", "defaultFeePercent": fee})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["defaultFeePercent"]


def test_a_brokers_default_fee_becomes_the_customers_fee(api: Verbs) -> None:
    broker = create(api, "/brokers", defaultFeePercent=7.5)
    assert create_customer(api, brokerId=broker["id"])["brokerFeePercent"] == 7.5


def test_create_with_the_same_idempotency_key_creates_once(api: Verbs) -> None:
    first = api.post("/brokers", {"name": "Ace"}, headers={"Idempotency-Key": "b-1"})
    again = api.post("/brokers", {"name": "Ace"}, headers={"Idempotency-Key": "b-1"})
    assert first.status == again.status == 201
    assert again.body["id"] == first.body["id"]
    assert names(api, "/brokers") == ["Ace"]


def test_the_same_idempotency_key_with_another_body_is_a_conflict(api: Verbs) -> None:
    api.post("/brokers", {"name": "Ace"}, headers={"Idempotency-Key": "b-2"})
    reply = api.post("/brokers", {"name": "Other"}, headers={"Idempotency-Key": "b-2"})
    assert reply.status == 409
    assert reply.body["code"] == "idempotency_conflict"


def test_an_idempotency_key_is_scoped_to_its_list(api: Verbs) -> None:
    api.post("/brokers", {"name": "Ace"}, headers={"Idempotency-Key": "k"})
    assert api.post("/customer-segments", {"name": "Ace"}, headers={"Idempotency-Key": "k"}).status == 201


# --- changing -----------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(api: Verbs) -> None:
    created = create(api, "/customer-types", "Industrial", color="red")
    reply = api.patch(f"/customer-types/{created['id']}", {"color": "teal"}, headers=version(1))
    assert reply.status == 200
    assert reply.etag == '"2"'
    assert reply.body == {**created, "color": "teal", "version": 2}


def test_patch_requires_if_match(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    reply = api.patch(f"/customer-segments/{created['id']}", {"name": "Silver"})
    assert reply.status == 428
    assert reply.body["code"] == "precondition_required"


def test_patch_with_a_stale_version_is_412_with_the_current_version(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    api.patch(f"/customer-segments/{created['id']}", {"name": "Silver"}, headers=version(1))
    reply = api.patch(f"/customer-segments/{created['id']}", {"name": "Bronze"}, headers=version(1))
    assert reply.status == 412
    assert reply.body["code"] == "version_conflict"
    assert reply.body["currentVersion"] == 2


def test_patch_to_a_name_taken_by_another_entry_is_a_duplicate(api: Verbs) -> None:
    reply = api.patch(f"/customer-types/{default_type_id()}", {"name": "RESIDENTIAL"}, headers=version(1))
    assert reply.status == 409
    assert reply.body["code"] == "duplicate"


def test_an_entry_may_change_the_case_of_its_own_name(api: Verbs) -> None:
    reply = api.patch(f"/customer-types/{default_type_id()}", {"name": "COMMERCIAL"}, headers=version(1))
    assert reply.status == 200
    assert reply.body["name"] == "COMMERCIAL"


def test_patch_to_a_sort_order_taken_by_another_entry_is_a_duplicate(api: Verbs) -> None:
    reply = api.patch(f"/customer-types/{default_type_id()}", {"sortOrder": 0}, headers=version(1))
    assert_problem(reply, 409, "duplicate")
    assert [error["field"] for error in reply.body["errors"]] == ["sortOrder"]


def test_patch_refuses_null_for_a_required_field(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    reply = api.patch(f"/customer-segments/{created['id']}", {"name": None}, headers=version(1))
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["name"]


def test_validation_comes_before_if_match(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    assert_problem(api.patch(f"/customer-segments/{created['id']}", {"name": ""}), 422, "validation_error")


def test_patch_null_clears_a_brokers_default_fee(api: Verbs) -> None:
    broker = create(api, "/brokers", defaultFeePercent=5)
    reply = api.patch(f"/brokers/{broker['id']}", {"defaultFeePercent": None}, headers=version(1))
    assert reply.status == 200
    assert reply.body["defaultFeePercent"] is None


def test_a_patch_that_changes_nothing_keeps_the_version(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    reply = api.patch(f"/customer-segments/{created['id']}", {"name": "Gold"}, headers=version(1))
    assert reply.status == 200
    assert reply.etag == '"1"'


def test_a_deactivated_type_cannot_be_given_to_a_new_customer(api: Verbs) -> None:
    type_id = default_type_id()
    api.patch(f"/customer-types/{type_id}", {"isActive": False}, headers=version(1))
    reply = api.post("/customers", customer_body())
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["customerTypeId"]


def test_hierarchy_role_can_change_while_no_customer_has_the_type(api: Verbs) -> None:
    reply = api.patch(f"/customer-types/{default_type_id()}", {"hierarchyRole": "purchaser"}, headers=version(1))
    assert reply.status == 200
    assert reply.body["hierarchyRole"] == "purchaser"


def test_hierarchy_role_cannot_change_while_a_customer_has_the_type(api: Verbs) -> None:
    create_customer(api)
    reply = api.patch(f"/customer-types/{default_type_id()}", {"hierarchyRole": "purchaser"}, headers=version(1))
    assert reply.status == 409
    assert reply.body["code"] == "in_use"
    assert api.get(f"/customer-types/{default_type_id()}").body["hierarchyRole"] == "none"


def test_a_type_in_use_may_change_its_name_and_color(api: Verbs) -> None:
    create_customer(api)
    reply = api.patch(f"/customer-types/{default_type_id()}", {"name": "Business", "color": "red"},
                      headers=version(1))
    assert reply.status == 200


@pytest.mark.in_process
def test_a_customer_saved_against_a_stale_hierarchy_role_is_refused(api: Verbs, monkeypatch: pytest.MonkeyPatch) -> None:
    type_id = default_type_id()
    stale = orgs.refresh("acme")  # what a save read just before another request changed the role
    api.patch(f"/customer-types/{type_id}", {"hierarchyRole": "member"}, headers=version(1))
    monkeypatch.setattr(orgs, "catalog", lambda org: stale)
    reply = api.post("/customers", customer_body())  # no parent: valid only for the stale role "none"
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["customerTypeId"]


# --- deleting -----------------------------------------------------------------------------------------


def test_delete_requires_if_match(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    assert_problem(api.delete(f"/customer-segments/{created['id']}"), 428, "precondition_required")


def test_delete_with_a_stale_version_is_412(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    reply = api.delete(f"/customer-segments/{created['id']}", headers=version(7))
    assert_problem(reply, 412, "version_conflict")
    assert reply.body["currentVersion"] == 1


@pytest.mark.parametrize("path", LISTS)
def test_a_deleted_entry_is_gone(api: Verbs, path: str) -> None:
    created = create(api, path, "Doomed")
    reply = api.delete(f"{path}/{created['id']}", headers=version(1))
    assert reply.status == 204
    assert_problem(api.get(f"{path}/{created['id']}"), 404, "not_found")
    assert "Doomed" not in names(api, path)


def test_the_name_of_a_deleted_entry_can_be_reused(api: Verbs) -> None:
    created = create(api, "/customer-segments")
    api.delete(f"/customer-segments/{created['id']}", headers=version(1))
    assert api.post("/customer-segments", {"name": "gold"}).status == 201


def test_a_type_in_use_cannot_be_deleted(api: Verbs) -> None:
    create_customer(api)
    reply = api.delete(f"/customer-types/{default_type_id()}", headers=version(1))
    assert reply.status == 409
    assert reply.body["code"] == "in_use"


def test_type_in_use_by_a_deleted_customer_cannot_be_deleted(api: Verbs) -> None:
    customer = create_customer(api)
    assert api.delete(f"/customers/{customer['id']}", headers=version(1)).status == 204
    reply = api.delete(f"/customer-types/{default_type_id()}", headers=version(1))
    assert reply.status == 409
    assert reply.body["code"] == "in_use"


def test_a_type_can_be_deleted_once_its_customers_moved_to_another_type(api: Verbs) -> None:
    customer = create_customer(api)
    other = default_type_id(name="Government")
    moved = api.patch(f"/customers/{customer['id']}", {"customerTypeId": other}, headers=version(1))
    assert moved.status == 200
    assert api.delete(f"/customer-types/{default_type_id()}", headers=version(1)).status == 204


@pytest.mark.parametrize(("path", "field"), list(SET_NULL_LISTS.items()))
def test_an_entry_in_use_of_a_set_null_list_can_be_deleted(api: Verbs, path: str, field: str) -> None:
    entry = create(api, path)
    create_customer(api, **{field: entry["id"]})
    assert api.delete(f"{path}/{entry['id']}", headers=version(1)).status == 204


def test_deleted_segment_reads_as_null_on_customer(api: Verbs) -> None:
    segment = create(api, "/customer-segments")
    customer = create_customer(api, customerSegmentId=segment["id"])
    api.delete(f"/customer-segments/{segment['id']}", headers=version(1))
    assert api.get(f"/customers/{customer['id']}").body["customerSegmentId"] is None


def test_deleted_broker_reads_as_null_on_customer_with_no_fee(api: Verbs) -> None:
    broker = create(api, "/brokers", defaultFeePercent=3)
    customer = create_customer(api, brokerId=broker["id"])
    api.delete(f"/brokers/{broker['id']}", headers=version(1))
    body = api.get(f"/customers/{customer['id']}").body
    assert (body["brokerId"], body["brokerFeePercent"]) == (None, None)


def test_a_deleted_entry_cannot_be_given_to_a_customer(api: Verbs) -> None:
    category = create(api, "/customer-categories")
    api.delete(f"/customer-categories/{category['id']}", headers=version(1))
    reply = api.post("/customers", customer_body(customerCategoryId=category["id"]))
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["customerCategoryId"]


# --- reordering ---------------------------------------------------------------------------------------


def test_reorder_renumbers_from_zero_in_the_given_order(api: Verbs) -> None:
    ids = [create(api, "/customer-segments", name, sortOrder=10 * n)["id"] for n, name in enumerate("ABC", 1)]
    reply = api.put("/customer-segments/order", {"ids": [ids[2], ids[0], ids[1]]})
    assert reply.status == 200
    assert [(e["name"], e["sortOrder"]) for e in reply.body["items"]] == [("C", 0), ("A", 1), ("B", 2)]
    assert api.get("/customer-segments").body == reply.body


def test_reorder_takes_no_if_match_and_bumps_only_moved_entries(api: Verbs) -> None:
    types = api.get("/customer-types").body["items"]
    reply = api.put("/customer-types/order", {"ids": [types[0]["id"], types[2]["id"], types[1]["id"]]})
    assert [entry["version"] for entry in reply.body["items"]] == [1, 2, 2]


@pytest.mark.parametrize("case", ["missing", "repeated", "unknown"])
def test_reorder_requires_every_id_exactly_once(api: Verbs, case: str) -> None:
    ids = [entry["id"] for entry in api.get("/customer-types").body["items"]]
    wrong = {"missing": ids[:2], "repeated": [*ids, ids[0]], "unknown": [*ids, str(uuid.uuid4())]}[case]
    reply = api.put("/customer-types/order", {"ids": wrong})
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["ids"]
    assert names(api, "/customer-types") == ["Residential", "Commercial", "Government"]


@pytest.mark.in_process
def test_a_full_list_is_reordered_in_one_go(api: Verbs) -> None:
    seed_categories(99)
    ids = [entry["id"] for entry in api.get("/customer-categories").body["items"]]
    reply = api.put("/customer-categories/order", {"ids": list(reversed(ids))})
    assert reply.status == 200
    assert [entry["id"] for entry in reply.body["items"]] == list(reversed(ids))
    assert [entry["sortOrder"] for entry in api.get("/customer-categories").body["items"]] == list(range(99))


def test_a_new_entry_after_a_reorder_goes_last(api: Verbs) -> None:
    ids = [entry["id"] for entry in api.get("/customer-types").body["items"]]
    api.put("/customer-types/order", {"ids": list(reversed(ids))})
    assert create(api, "/customer-types", "Industrial")["sortOrder"] == 3


# --- concurrency --------------------------------------------------------------------------------------


@pytest.mark.in_process
def test_a_name_taken_between_read_and_write_is_still_a_duplicate(api: Verbs, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = orgs.refresh("acme")  # read before another writer adds "Gold"
    create(api, "/customer-segments", "Gold")
    reads = iter([stale])
    fresh = orgs.refresh
    monkeypatch.setattr(orgs, "refresh", lambda org: next(reads, None) or fresh(org))
    reply = api.post("/customer-segments", {"name": "GOLD"})
    assert reply.status == 409
    assert reply.body["code"] == "duplicate"
    assert names(api, "/customer-segments") == ["Gold"]


@pytest.mark.in_process
def test_a_sort_order_taken_between_read_and_write_moves_the_new_entry_after_it(api: Verbs,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    stale = orgs.refresh("acme")
    create(api, "/customer-segments", "First")
    reads = iter([stale])
    fresh = orgs.refresh
    monkeypatch.setattr(orgs, "refresh", lambda org: next(reads, None) or fresh(org))
    assert create(api, "/customer-segments", "Second")["sortOrder"] == 1


@pytest.mark.in_process
def test_a_create_that_loses_the_list_to_a_concurrent_reorder_is_retried_not_refused(
        api: Verbs, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("Seed 0", "Seed 1", "Seed 2"):
        create(api, "/customer-segments", name)
    save = taxonomy_store.create_entry

    def reorder_first(org: str, item: dict[str, Any], list_version: int) -> None:
        """A reorder commits between our read and our write."""
        monkeypatch.setattr(taxonomy_store, "create_entry", save)
        ids = [entry["id"] for entry in api.get("/customer-segments").body["items"]]
        assert api.put("/customer-segments/order", {"ids": list(reversed(ids))}).status == 200
        save(org, item, list_version)

    monkeypatch.setattr(taxonomy_store, "create_entry", reorder_first)
    reply = api.post("/customer-segments", {"name": "Fresh"})
    assert (reply.status, reply.body.get("code")) == (201, None)
    assert names(api, "/customer-segments") == ["Seed 2", "Seed 1", "Seed 0", "Fresh"]


@pytest.mark.in_process
def test_a_create_whose_committed_transaction_is_resent_answers_its_own_entry(api: Verbs,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert names(api, "/customer-segments") == []  # the org is provisioned before the create
    client = aws.dynamodb()
    send = client.transact_write_items

    def answer_lost_then_resent(**request: Any) -> Any:
        """What botocore does when the first reply times out."""
        monkeypatch.setattr(client, "transact_write_items", send)
        send(**request)
        return send(**request)

    monkeypatch.setattr(client, "transact_write_items", answer_lost_then_resent)
    reply = api.post("/customer-segments", {"name": "Only once"})
    assert (reply.status, reply.body.get("code")) == (201, None)
    assert names(api, "/customer-segments") == ["Only once"]
    assert api.get(f"/customer-segments/{reply.body['id']}").body["name"] == "Only once"


# --- roles --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "editor", "viewer", "integration"])
def test_every_role_can_read(api: Verbs, role: str) -> None:
    assert api.get("/customer-types", role=role).status == 200
    assert api.get(f"/customer-types/{default_type_id()}", role=role).status == 200


@pytest.mark.parametrize("role", ["editor", "viewer", "integration"])
def test_only_an_admin_may_write(api: Verbs, role: str) -> None:
    type_id = default_type_id()
    assert_problem(api.post("/customer-types", {"name": "X"}, role=role), 403, "forbidden")
    assert_problem(api.patch(f"/customer-types/{type_id}", {"name": "X"}, role=role, headers=version(1)), 403, "forbidden")
    assert_problem(api.delete(f"/customer-types/{type_id}", role=role, headers=version(1)), 403, "forbidden")
    reply = api.put("/customer-types/order", {"ids": [type_id]}, role=role)
    assert reply.status == 403
    assert reply.body["code"] == "forbidden"


def test_a_request_without_a_token_is_401(api: Verbs) -> None:
    reply = api.get("/customer-types", org=None)
    assert reply.status == 401
    assert reply.body["code"] == "unauthorized"
