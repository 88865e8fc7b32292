"""The org-wide address book (SPEC §4.8): entries, versions, in_use while a contact uses one. If-Match,
tenancy and ids, as for every child resource: test_child_resources.py."""

from __future__ import annotations

import uuid

import pytest

from local.invoke import Verbs

from .parts import add_address, add_contact, assert_problem, counted, error_fields, if_match, new_customer

pytestmark = pytest.mark.over_http


def entry_path(entry_id: str) -> str:
    return f"/address-book/{entry_id}"


def test_create_returns_201_with_location_and_etag(api: Verbs) -> None:
    reply = api.post("/address-book", {"label": "Warehouse", "city": "Basseterre", "country": "kn"})
    assert reply.status == 201, reply.body
    assert reply.headers["Location"] == entry_path(reply.body["id"])
    assert reply.etag == '"1"'
    assert reply.body["country"] == "KN" and reply.body["line2"] is None


def test_label_is_required(api: Verbs) -> None:
    reply = api.post("/address-book", {"line1": "1 Main St"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["label"]


def test_label_longer_than_255_is_422(api: Verbs) -> None:
    reply = api.post("/address-book", {"label": "x" * 256})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["label"]


def test_country_must_be_an_iso_code(api: Verbs) -> None:
    reply = api.post("/address-book", {"label": "Depot", "country": "XX"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["country"]


def test_unknown_fields_are_422(api: Verbs) -> None:
    reply = api.post("/address-book", {"label": "Depot", "zip": "12345"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["zip"]


def test_get_returns_the_entry_with_its_etag(api: Verbs) -> None:
    entry = add_address(api)
    reply = api.get(entry_path(entry["id"]), role="viewer")
    assert reply.status == 200
    assert reply.body == entry and reply.etag == '"1"'


def test_get_of_an_unknown_entry_is_404(api: Verbs) -> None:
    assert_problem(api.get(entry_path(str(uuid.uuid4()))), 404, "not_found")


def test_list_is_by_label(api: Verbs) -> None:
    for label in ("Warehouse", "depot", "Annex"):
        add_address(api, label=label)
    assert [e["label"] for e in api.get("/address-book").body["items"]] == ["Annex", "depot", "Warehouse"]


def test_list_pages_with_a_cursor(api: Verbs) -> None:
    for n in range(5):
        add_address(api, label=f"site {n}")
    seen, cursor = [], None
    while True:
        page = api.get("/address-book", query="limit=2" + (f"&cursor={cursor}" if cursor else "")).body
        seen += [e["label"] for e in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [f"site {n}" for n in range(5)]


@pytest.mark.in_process
def test_a_list_page_is_one_query(api: Verbs) -> None:
    add_address(api)
    api.get("/address-book")
    _, calls = counted(lambda: api.get("/address-book"))
    assert calls == ["Query"]


def test_patch_changes_sent_fields_and_bumps_the_version(api: Verbs) -> None:
    entry = add_address(api, city="Basseterre")
    reply = api.patch(entry_path(entry["id"]), {"line2": "Suite 4"}, headers=if_match(1))
    assert reply.status == 200
    assert reply.body["line2"] == "Suite 4" and reply.body["city"] == "Basseterre"
    assert reply.etag == '"2"'


def test_patch_null_clears_an_optional_field(api: Verbs) -> None:
    entry = add_address(api, city="Basseterre")
    reply = api.patch(entry_path(entry["id"]), {"city": None}, headers=if_match(1))
    assert reply.body["city"] is None


def test_patch_cannot_clear_the_label(api: Verbs) -> None:
    entry = add_address(api)
    reply = api.patch(entry_path(entry["id"]), {"label": None}, headers=if_match(1))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["label"]


def test_delete_is_204_and_the_entry_is_gone(api: Verbs) -> None:
    entry = add_address(api)
    assert api.delete(entry_path(entry["id"]), headers=if_match(1)).status == 204
    assert_problem(api.get(entry_path(entry["id"])), 404, "not_found")


def test_delete_while_a_contact_uses_it_is_409_in_use(api: Verbs) -> None:
    entry = add_address(api)
    customer = new_customer(api)
    add_contact(api, customer["id"], addressEntryId=entry["id"])
    reply = api.delete(entry_path(entry["id"]), headers=if_match(1))
    assert reply.status == 409
    assert reply.body["code"] == "in_use"


def test_delete_succeeds_once_the_contact_is_deleted(api: Verbs) -> None:
    entry = add_address(api)
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], addressEntryId=entry["id"])
    api.delete(f"/customers/{customer['id']}/contacts/{contact['id']}", headers=if_match(1))
    assert api.delete(entry_path(entry["id"]), headers=if_match(1)).status == 204


def test_delete_succeeds_once_the_contact_points_elsewhere(api: Verbs) -> None:
    entry, other = add_address(api), add_address(api, label="Other")
    customer = new_customer(api)
    contact = add_contact(api, customer["id"], addressEntryId=entry["id"])
    api.patch(f"/customers/{customer['id']}/contacts/{contact['id']}", {"addressEntryId": other["id"]},
              headers=if_match(1))
    assert api.delete(entry_path(entry["id"]), headers=if_match(1)).status == 204
    assert_problem(api.delete(entry_path(other["id"]), headers=if_match(1)), 409, "in_use")


def test_a_patched_entry_keeps_its_contact_count(api: Verbs) -> None:
    entry = add_address(api)
    customer = new_customer(api)
    add_contact(api, customer["id"], addressEntryId=entry["id"])
    api.patch(entry_path(entry["id"]), {"label": "Renamed"}, headers=if_match(1))
    assert_problem(api.delete(entry_path(entry["id"]), headers=if_match(2)), 409, "in_use")


def test_editor_may_write(api: Verbs) -> None:
    assert api.post("/address-book", {"label": "x"}, role="editor").status == 201


def test_retry_with_the_same_idempotency_key_creates_one_entry(api: Verbs) -> None:
    first = api.post("/address-book", {"label": "x"}, headers={"Idempotency-Key": "e1"})
    again = api.post("/address-book", {"label": "x"}, headers={"Idempotency-Key": "e1"})
    assert again.body["id"] == first.body["id"]
    assert len(api.get("/address-book").body["items"]) == 1
