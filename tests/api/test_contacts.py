"""Contacts of a customer (SPEC §4.4) through the real handlers: fields, roles, versions. If-Match, tenancy,
ids and a deleted customer, as for every child resource: test_child_resources.py."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from clientele.store import keys
from local.invoke import Verbs

from .parts import (
    add_address,
    add_contact,
    assert_problem,
    contact_path,
    contacts_path,
    counted,
    if_match,
    new_customer,
    set_attribute,
    set_dialing,
    stored,
)

pytestmark = pytest.mark.over_http


# --- create -------------------------------------------------------------------------------------------


def test_create_returns_201_with_location_etag_and_the_contact(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Grace Hopper", "title": "Admiral"})
    assert reply.status == 201, reply.body
    assert reply.headers["Location"] == contact_path(customer["id"], reply.body["id"])
    assert reply.etag == '"1"'
    assert reply.body["customerId"] == customer["id"]
    assert reply.body["title"] == "Admiral"
    assert reply.body["roles"] == [] and reply.body["version"] == 1


def test_create_bumps_the_customer_version(api: Verbs) -> None:
    customer = new_customer(api)
    add_contact(api, customer["id"])
    reply = api.get(f"/customers/{customer['id']}")
    assert reply.body["version"] == 2
    assert reply.etag == '"2"'


def test_name_is_required(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"title": "No name"})
    assert_problem(reply, 422, "validation_error")
    assert [e["field"] for e in reply.body["errors"]] == ["name"]


def test_blank_name_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "   "})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "name"


def test_name_longer_than_255_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "x" * 256})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "name"


def test_title_longer_than_255_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "title": "x" * 256})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "title"


def test_email_is_lower_cased(api: Verbs) -> None:
    customer = new_customer(api)
    assert add_contact(api, customer["id"], email=" Grace@Navy.MIL ")["email"] == "grace@navy.mil"


def test_invalid_email_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "email": "not-an-email"})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "email"


@pytest.mark.in_process
def test_phone_is_normalised_with_the_org_settings(api: Verbs) -> None:
    set_dialing("acme", "KN", "869")
    customer = new_customer(api)
    assert add_contact(api, customer["id"], phone="5551234")["phone"] == "+1-869-555-1234"


def test_local_phone_without_an_area_code_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "phone": "555 0101"})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "phone"


def test_impossible_phone_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "phone": "+1 2"})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "phone"


def test_unknown_role_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "roles": ["boss"]})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"].startswith("roles")


def test_roles_are_returned_in_canonical_order_without_duplicates(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], roles=["field", "primary", "field", "invoicing"])
    assert contact["roles"] == ["primary", "invoicing", "field"]


@pytest.mark.in_process
def test_roles_are_stored_as_flags(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], roles=["primary", "shipping", "invoicing", "billing", "field"])
    item = stored(keys.customer_pk("acme", customer["id"]), keys.contact_sk(contact["id"]))
    assert item is not None and "roles" not in item
    assert {flag: item[flag] for flag in ("isPrimary", "receivesShipping", "receivesInvoices", "receivesBillingCc",
                                          "isOnSite")} == dict.fromkeys(
        ("isPrimary", "receivesShipping", "receivesInvoices", "receivesBillingCc", "isOnSite"), True)


def test_a_second_primary_contact_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    add_contact(api, customer["id"], roles=["primary"])
    reply = api.post(contacts_path(customer["id"]), {"name": "Other", "roles": ["primary"]})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "roles"


def test_address_entry_must_exist(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "addressEntryId": str(uuid.uuid4())})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "addressEntryId"


def test_non_uuid_address_entry_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "addressEntryId": "head-office"})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "addressEntryId"


def test_address_entry_of_another_org_is_422(api: Verbs) -> None:
    theirs = add_address(api, org="globex")
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "addressEntryId": theirs["id"]})
    assert_problem(reply, 422, "validation_error")


def test_a_refused_contact_changes_nothing(api: Verbs) -> None:
    customer = new_customer(api)
    api.post(contacts_path(customer["id"]), {"name": "Ada", "addressEntryId": str(uuid.uuid4())})
    after = api.get(f"/customers/{customer['id']}").body
    assert after["contacts"] == [] and after["version"] == 1


def test_contact_with_an_address_entry_is_saved(api: Verbs) -> None:
    entry = add_address(api)
    customer = new_customer(api)
    assert add_contact(api, customer["id"], addressEntryId=entry["id"])["addressEntryId"] == entry["id"]


def test_unknown_fields_are_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada", "mood": "happy"})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "mood"


def test_the_51st_contact_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    contacts = [{"name": f"Contact {n:02d}"} for n in range(50)]
    put = api.put(f"/customers/{customer['id']}", {**_document(api, customer["id"]), "contacts": contacts},
                  headers=if_match(1))
    assert put.status == 200, put.body
    reply = api.post(contacts_path(customer["id"]), {"name": "One too many"})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "contacts"


def test_create_under_an_unknown_customer_is_404(api: Verbs) -> None:
    reply = api.post(contacts_path(str(uuid.uuid4())), {"name": "Ada"})
    assert_problem(reply, 404, "not_found")


def test_retry_with_the_same_idempotency_key_creates_one_contact(api: Verbs) -> None:
    customer = new_customer(api)
    first = api.post(contacts_path(customer["id"]), {"name": "Ada"}, headers={"Idempotency-Key": "c1"})
    again = api.post(contacts_path(customer["id"]), {"name": "Ada"}, headers={"Idempotency-Key": "c1"})
    assert again.status == 201 and again.body["id"] == first.body["id"]
    assert len(api.get(contacts_path(customer["id"])).body["items"]) == 1


def test_same_idempotency_key_for_another_customer_is_409(api: Verbs) -> None:
    one, two = new_customer(api), new_customer(api)
    api.post(contacts_path(one["id"]), {"name": "Ada"}, headers={"Idempotency-Key": "c2"})
    reply = api.post(contacts_path(two["id"]), {"name": "Ada"}, headers={"Idempotency-Key": "c2"})
    assert reply.status == 409
    assert reply.body["code"] == "idempotency_conflict"


# --- read ---------------------------------------------------------------------------------------------


def test_list_returns_the_contacts_by_name(api: Verbs) -> None:
    customer = new_customer(api)
    for name in ("zoe", "Adam", "mia"):
        add_contact(api, customer["id"], name=name)
    reply = api.get(contacts_path(customer["id"]), role="viewer")
    assert reply.status == 200
    assert [c["name"] for c in reply.body["items"]] == ["Adam", "mia", "zoe"]
    assert reply.body["nextCursor"] is None


def test_list_of_an_unknown_customer_is_404(api: Verbs) -> None:
    assert_problem(api.get(contacts_path(str(uuid.uuid4()))), 404, "not_found")


def test_get_customer_includes_its_contacts(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], roles=["primary"])
    body = api.get(f"/customers/{customer['id']}").body
    assert body["contacts"] == [contact]


@pytest.mark.in_process
def test_get_customer_with_contacts_is_one_query_and_the_fresh_catalog(api: Verbs) -> None:
    customer = new_customer(api)
    for n in range(3):
        add_contact(api, customer["id"], name=f"Contact {n}")
    api.get(f"/customers/{customer['id']}")  # warm
    reply, calls = counted(lambda: api.get(f"/customers/{customer['id']}"))
    assert len(reply.body["contacts"]) == 3
    # The document (customer + contacts), then the org catalog its customerType name comes from,
    # read fresh in every request (docs/decisions.md, "Fresh reads").
    assert calls == ["Query", "Query"]


def test_customer_list_items_carry_no_contacts(api: Verbs) -> None:
    customer = new_customer(api)
    add_contact(api, customer["id"])
    [item] = api.get("/customers").body["items"]
    assert "contacts" not in item


@pytest.mark.in_process
def test_list_contacts_is_one_dynamodb_call(api: Verbs) -> None:
    customer = new_customer(api)
    add_contact(api, customer["id"])
    api.get(contacts_path(customer["id"]))
    _, calls = counted(lambda: api.get(contacts_path(customer["id"])))
    assert calls == ["Query"]


# --- concurrent writes to the same customer -------------------------------------------------------------


def _racing_read(monkeypatch: pytest.MonkeyPatch, customer_id: str, times: int) -> list[str]:
    """Make another write bump the customer's version right after each of the first ``times`` reads."""
    from clientele.store import customers as customer_store

    real = customer_store.query_customer_document
    reads: list[str] = []

    def racing(org: str, cid: str) -> list[dict[str, Any]]:
        items = real(org, cid)
        reads.append(cid)
        if len(reads) <= times:
            head = next(item for item in items if item.get("entity") == "customer")
            set_attribute(keys.customer_pk(org, customer_id), keys.CUSTOMER_SK, "version", int(head["version"]) + 1)
        return items

    monkeypatch.setattr(customer_store, "query_customer_document", racing)
    return reads


@pytest.mark.in_process
def test_a_concurrent_customer_change_is_retried_on_the_fresh_document(api: Verbs, monkeypatch: pytest.MonkeyPatch) -> None:
    customer = new_customer(api)
    reads = _racing_read(monkeypatch, customer["id"], times=1)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada"})
    assert reply.status == 201, reply.body
    assert len(reads) == 2


@pytest.mark.in_process
def test_a_customer_that_keeps_changing_is_409_concurrent_change(api: Verbs, monkeypatch: pytest.MonkeyPatch) -> None:
    customer = new_customer(api)
    _racing_read(monkeypatch, customer["id"], times=10)
    reply = api.post(contacts_path(customer["id"]), {"name": "Ada"})
    assert reply.status == 409
    assert reply.body["code"] == "concurrent_change"
    monkeypatch.undo()
    assert api.get(contacts_path(customer["id"])).body["items"] == []


# --- change -------------------------------------------------------------------------------------------


def test_patch_changes_only_sent_fields_and_bumps_the_contact_version(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], title="Admiral", email="grace@navy.mil")
    reply = api.patch(contact_path(customer["id"], contact["id"]), {"title": "Rear Admiral"}, headers=if_match(1))
    assert reply.status == 200, reply.body
    assert reply.body["title"] == "Rear Admiral" and reply.body["email"] == "grace@navy.mil"
    assert reply.etag == '"2"'


def test_patch_null_clears_an_optional_field(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], title="Admiral")
    reply = api.patch(contact_path(customer["id"], contact["id"]), {"title": None}, headers=if_match(1))
    assert reply.body["title"] is None


def test_patch_bumps_the_customer_version(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"])
    api.patch(contact_path(customer["id"], contact["id"]), {"title": "x"}, headers=if_match(1))
    assert api.get(f"/customers/{customer['id']}").body["version"] == 3


def test_customer_if_match_is_stale_after_a_contact_write(api: Verbs) -> None:
    customer = new_customer(api)
    add_contact(api, customer["id"])
    reply = api.patch(f"/customers/{customer['id']}", {"notes": "x"}, headers=if_match(1))
    assert_problem(reply, 412, "version_conflict")
    assert reply.body["currentVersion"] == 2


def test_patch_cannot_make_a_second_primary(api: Verbs) -> None:
    customer = new_customer(api)
    add_contact(api, customer["id"], roles=["primary"])
    other = add_contact(api, customer["id"], name="Other")
    reply = api.patch(contact_path(customer["id"], other["id"]), {"roles": ["primary"]}, headers=if_match(1))
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "roles"


def test_patch_may_keep_the_primary_role_of_the_primary_contact(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], roles=["primary"])
    reply = api.patch(contact_path(customer["id"], contact["id"]), {"roles": ["primary", "billing"]},
                      headers=if_match(1))
    assert reply.status == 200
    assert reply.body["roles"] == ["primary", "billing"]


def test_patch_that_removes_the_name_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"])
    reply = api.patch(contact_path(customer["id"], contact["id"]), {"name": None}, headers=if_match(1))
    assert_problem(reply, 422, "validation_error")


def test_patch_of_another_customers_contact_is_404(api: Verbs) -> None:
    mine, other = new_customer(api), new_customer(api)
    contact = add_contact(api, other["id"])
    reply = api.patch(contact_path(mine["id"], contact["id"]), {"title": "x"}, headers=if_match(1))
    assert_problem(reply, 404, "not_found")


# --- delete -------------------------------------------------------------------------------------------


def test_delete_is_204_and_the_contact_is_gone(api: Verbs) -> None:
    customer = new_customer(api)
    contact = add_contact(api, customer["id"])
    assert api.delete(contact_path(customer["id"], contact["id"]), headers=if_match(1)).status == 204
    assert api.get(contacts_path(customer["id"])).body["items"] == []
    assert api.get(f"/customers/{customer['id']}").body["version"] == 3


# --- roles (the customer's state, tenancy and ids: test_child_resources.py) -----------------------------


def test_editor_may_write_contacts(api: Verbs) -> None:
    customer = new_customer(api)
    assert api.post(contacts_path(customer["id"]), {"name": "x"}, role="editor").status == 201


def _document(api: Verbs, customer_id: str) -> dict[str, Any]:
    body = dict(api.get(f"/customers/{customer_id}").body)
    body.pop("contacts", None)
    return body
