"""Reconcile on save (SPEC §4.4): PUT /customers/{id} with `contacts` updates, creates and deletes
contacts in one transaction with the customer's version check — all of it, or none of it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from clientele.store import keys
from local.invoke import Reply, Verbs

from .parts import add_address, add_contact, assert_problem, counted, if_match, new_customer, stored, stored_item

pytestmark = pytest.mark.over_http


def document(api: Verbs, customer_id: str) -> Reply:
    reply = api.get(f"/customers/{customer_id}")
    assert reply.status == 200
    return reply


def put(api: Verbs, customer_id: str, body: dict[str, Any], version: int) -> Reply:
    return api.put(f"/customers/{customer_id}", body, headers=if_match(version))


def three_contacts(api: Verbs) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    customer = new_customer(api)
    keep = add_contact(api, customer["id"], name="Keep Me", title="Buyer")
    drop = add_contact(api, customer["id"], name="Drop Me")
    primary = add_contact(api, customer["id"], name="Pat Primary", roles=["primary"])
    return customer, keep, drop, primary


def reconcile_body(before: dict[str, Any], keep: dict[str, Any], primary: dict[str, Any]) -> dict[str, Any]:
    """Update ``keep``, leave ``primary`` as it is, create one, and leave the third contact out."""
    return {**before, "contacts": [{**keep, "title": "Head Buyer"}, primary,
                                   {"name": "New Person", "email": "New@Example.com"}]}


def test_update_one_create_one_delete_one_in_a_single_put(api: Verbs) -> None:
    customer, keep, drop, primary = three_contacts(api)
    before = document(api, customer["id"]).body
    reply = put(api, customer["id"], reconcile_body(before, keep, primary), before["version"])
    assert reply.status == 200, reply.body
    names = {c["name"]: c for c in reply.body["contacts"]}
    assert set(names) == {"Keep Me", "Pat Primary", "New Person"}
    assert names["Keep Me"]["title"] == "Head Buyer" and names["Keep Me"]["version"] == 2
    assert names["Pat Primary"]["version"] == 1  # unchanged: not rewritten
    assert names["New Person"]["email"] == "new@example.com"
    after = document(api, customer["id"]).body
    assert sorted(c["name"] for c in after["contacts"]) == ["Keep Me", "New Person", "Pat Primary"]
    assert drop["id"] not in {c["id"] for c in after["contacts"]}
    assert_problem(api.patch(f"/customers/{customer['id']}/contacts/{drop['id']}", {"title": "x"},
                             headers=if_match(1)), 404, "not_found")


@pytest.mark.in_process
def test_a_reconcile_is_one_transact_write_items(api: Verbs) -> None:
    customer, keep, drop, primary = three_contacts(api)
    before = document(api, customer["id"]).body
    reply, calls = counted(lambda: put(api, customer["id"], reconcile_body(before, keep, primary), before["version"]))
    assert reply.status == 200, reply.body
    assert calls.count("TransactWriteItems") == 1
    assert [c for c in calls if c not in {"Query", "GetItem", "BatchGetItem"}] == ["TransactWriteItems"]
    assert stored(keys.customer_pk("acme", customer["id"]), keys.contact_sk(drop["id"])) is None


def test_the_response_carries_the_saved_contacts_with_their_ids(api: Verbs) -> None:
    customer = new_customer(api)
    reply = put(api, customer["id"], {**document(api, customer["id"]).body, "contacts": [{"name": "Ada"}]}, 1)
    [saved] = reply.body["contacts"]
    assert uuid.UUID(saved["id"]) and saved["customerId"] == customer["id"]
    assert document(api, customer["id"]).body["contacts"] == reply.body["contacts"]


def test_the_save_bumps_the_customer_version_once(api: Verbs) -> None:
    customer = new_customer(api)
    contacts = [{"name": "Ada"}, {"name": "Grace"}, {"name": "Hedy"}]
    reply = put(api, customer["id"], {**document(api, customer["id"]).body, "contacts": contacts}, 1)
    assert reply.body["version"] == 2
    assert reply.etag == '"2"'


def test_a_put_without_the_contacts_key_leaves_contacts_unchanged(api: Verbs) -> None:
    customer, *_ = three_contacts(api)
    before = document(api, customer["id"]).body
    body = {key: value for key, value in before.items() if key != "contacts"}
    reply = put(api, customer["id"], {**body, "notes": "edited"}, before["version"])
    assert reply.status == 200
    assert reply.body["contacts"] == before["contacts"]


def test_an_empty_list_deletes_every_contact(api: Verbs) -> None:
    customer, *_ = three_contacts(api)
    before = document(api, customer["id"]).body
    reply = put(api, customer["id"], {**before, "contacts": []}, before["version"])
    assert reply.body["contacts"] == []
    assert api.get(f"/customers/{customer['id']}/contacts").body["items"] == []


def test_contacts_null_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = put(api, customer["id"], {**document(api, customer["id"]).body, "contacts": None}, 1)
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "contacts"


def test_putting_back_the_document_from_get_rewrites_no_contact(api: Verbs) -> None:
    customer, *_ = three_contacts(api)
    before = document(api, customer["id"]).body
    reply = put(api, customer["id"], before, before["version"])
    assert reply.status == 200
    assert reply.body["contacts"] == before["contacts"]


# --- all or nothing ---------------------------------------------------------------------------------------


def assert_nothing_changed(api: Verbs, customer_id: str, before_raw: str, reply: Reply, status: int,
                           field: str | None = None) -> None:
    assert reply.status == status, reply.body
    if field is not None:
        assert field in [e["field"] for e in reply.body["errors"]], reply.body
    after = document(api, customer_id)
    assert after.raw == before_raw


def test_two_primaries_change_nothing(api: Verbs) -> None:
    customer, keep, _drop, primary = three_contacts(api)
    before = document(api, customer["id"])
    body = {**before.body, "notes": "would change", "contacts": [
        {**keep, "roles": ["primary"]}, primary, {"name": "New"}]}
    reply = put(api, customer["id"], body, before.body["version"])
    assert_nothing_changed(api, customer["id"], before.raw, reply, 422, "contacts")


def test_a_stale_version_changes_nothing(api: Verbs) -> None:
    customer, keep, _drop, _primary = three_contacts(api)
    before = document(api, customer["id"])
    body = {**before.body, "contacts": [{**keep, "title": "Changed"}, {"name": "New"}]}
    reply = put(api, customer["id"], body, before.body["version"] - 1)
    assert_nothing_changed(api, customer["id"], before.raw, reply, 412)
    assert reply.body["currentVersion"] == before.body["version"]


def test_another_customers_contact_id_changes_nothing(api: Verbs) -> None:
    customer, keep, _drop, _primary = three_contacts(api)
    other = new_customer(api, companyName="Other Co")
    foreign = add_contact(api, other["id"], name="Not Yours")
    before = document(api, customer["id"])
    other_before = document(api, other["id"])
    body = {**before.body, "contacts": [{**keep, "title": "Changed"}, {**foreign, "title": "Stolen"}]}
    reply = put(api, customer["id"], body, before.body["version"])
    assert_nothing_changed(api, customer["id"], before.raw, reply, 422, "contacts[1].id")
    assert document(api, other["id"]).raw == other_before.raw


def test_an_unknown_contact_id_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    body = {**document(api, customer["id"]).body, "contacts": [{"id": str(uuid.uuid4()), "name": "Ghost"}]}
    reply = put(api, customer["id"], body, 1)
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "contacts[0].id"


def test_the_same_contact_twice_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"])
    before = document(api, customer["id"])
    reply = put(api, customer["id"], {**before.body, "contacts": [contact, contact]}, before.body["version"])
    assert_nothing_changed(api, customer["id"], before.raw, reply, 422, "contacts[1].id")


def test_an_invalid_entry_names_its_position_and_changes_nothing(api: Verbs) -> None:
    customer, keep, _drop, _primary = three_contacts(api)
    before = document(api, customer["id"])
    body = {**before.body, "contacts": [keep, {"name": "Bad", "email": "nope"}]}
    reply = put(api, customer["id"], body, before.body["version"])
    assert_nothing_changed(api, customer["id"], before.raw, reply, 422, "contacts[1].email")


def test_a_missing_address_entry_cancels_the_whole_transaction(api: Verbs) -> None:
    customer, keep, _drop, _primary = three_contacts(api)
    before = document(api, customer["id"])
    body = {**before.body, "notes": "would change", "contacts": [
        {**keep, "title": "Changed"}, {"name": "New", "addressEntryId": str(uuid.uuid4())}]}
    reply = put(api, customer["id"], body, before.body["version"])
    assert_nothing_changed(api, customer["id"], before.raw, reply, 422, "contacts[1].addressEntryId")


def test_more_than_50_contacts_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    before = document(api, customer["id"])
    body = {**before.body, "contacts": [{"name": f"C{n}"} for n in range(51)]}
    reply = put(api, customer["id"], body, 1)
    assert_nothing_changed(api, customer["id"], before.raw, reply, 422, "contacts")


def test_a_save_beyond_100_transaction_items_is_422_and_changes_nothing(api: Verbs) -> None:
    customer = new_customer(api)
    first = put(api, customer["id"], {**document(api, customer["id"]).body,
                                      "contacts": [{"name": f"Old {n:02d}"} for n in range(50)]}, 1)
    assert first.status == 200
    before = document(api, customer["id"])
    body = {**before.body, "contacts": [{"name": f"New {n:02d}"} for n in range(50)]}  # 50 deletes + 50 puts + 1
    reply = put(api, customer["id"], body, before.body["version"])
    assert_nothing_changed(api, customer["id"], before.raw, reply, 422, "contacts")


@pytest.mark.in_process
def test_reconcile_of_50_contacts_is_one_transact_write(api: Verbs) -> None:
    customer = new_customer(api)
    body = {**document(api, customer["id"]).body, "contacts": [{"name": f"C{n:02d}"} for n in range(50)]}
    reply, calls = counted(lambda: put(api, customer["id"], body, 1))
    assert reply.status == 200 and len(reply.body["contacts"]) == 50
    # The document, the org catalog read fresh (docs/decisions.md, "Fresh reads"), one transaction.
    assert calls == ["Query", "Query", "TransactWriteItems"]


# --- the other ways in ---------------------------------------------------------------------------------------


def test_patch_with_contacts_reconciles_them_too(api: Verbs) -> None:
    customer, keep, _drop, _primary = three_contacts(api)
    version = document(api, customer["id"]).body["version"]
    reply = api.patch(f"/customers/{customer['id']}", {"contacts": [keep]}, headers=if_match(version))
    assert reply.status == 200
    assert [c["name"] for c in reply.body["contacts"]] == ["Keep Me"]


def test_post_customer_with_contacts_creates_them(api: Verbs) -> None:
    from .helpers import customer_body

    reply = api.post("/customers", customer_body(contacts=[{"name": "Ada", "roles": ["primary"]}, {"name": "Bo"}]))
    assert reply.status == 201, reply.body
    assert [c["name"] for c in reply.body["contacts"]] == ["Ada", "Bo"]
    assert document(api, reply.body["id"]).body["contacts"] == reply.body["contacts"]


def test_reconcile_moves_address_references(api: Verbs) -> None:
    entry = add_address(api)
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], addressEntryId=entry["id"])
    assert_problem(api.delete(f"/address-book/{entry['id']}", headers=if_match(1)), 409, "in_use")
    before = document(api, customer["id"]).body
    put(api, customer["id"], {**before, "contacts": [{**contact, "addressEntryId": None}]}, before["version"])
    assert api.delete(f"/address-book/{entry['id']}", headers=if_match(1)).status == 204


@pytest.mark.in_process
def test_two_contacts_on_one_address_entry_count_twice(api: Verbs) -> None:
    entry = add_address(api)
    customer = new_customer(api)
    body = {**document(api, customer["id"]).body, "contacts": [
        {"name": "A", "addressEntryId": entry["id"]}, {"name": "B", "addressEntryId": entry["id"]}]}
    assert put(api, customer["id"], body, 1).status == 200
    assert stored_item(keys.address_pk("acme", entry["id"]), keys.ADDRESS_SK)["contactRefs"] == 2
