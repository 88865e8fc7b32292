"""PUT /customers/by-remote-id/{remoteId} (SPEC §5.3): create-or-update keyed by the integration's id."""

from __future__ import annotations

from typing import Any

import pytest

from clientele.store import remote_ids
from local.invoke import Reply, Verbs
from tests.api.parts import assert_problem

from .helpers import customer_body, default_type_id

pytestmark = pytest.mark.over_http

PATH = "/customers/by-remote-id/{}"


def upsert(api: Verbs, remote_id: str = "QB-1", role: str = "integration", **fields: Any) -> Reply:
    body = {"companyName": "Acme Hotels", **fields}
    return api.put(PATH.format(remote_id), body, role=role)


def _enable_integration(api: Verbs) -> None:
    current = api.get("/settings")
    reply = api.put("/settings", {**current.body, "customerIntegrationEnabled": True},
                    headers={"if-match": current.etag})
    assert reply.status == 200, reply.body


def test_first_upsert_creates_with_201_location_and_remote_id(api: Verbs) -> None:
    reply = upsert(api)
    assert reply.status == 201, reply.body
    assert reply.headers["Location"] == f"/customers/{reply.body['id']}"
    assert reply.etag == '"1"'
    assert reply.body["remoteId"] == "QB-1"


def test_second_upsert_updates_the_same_customer_with_200(api: Verbs) -> None:
    first = upsert(api)
    second = upsert(api, companyName="Acme Resorts")
    assert second.status == 200, second.body
    assert second.body["id"] == first.body["id"]
    assert second.body["companyName"] == "Acme Resorts"
    assert second.body["version"] == 2
    assert "Location" not in second.headers


def test_create_without_a_type_gets_the_first_active_type(api: Verbs) -> None:
    reply = upsert(api)
    assert reply.body["customerTypeId"] == default_type_id(name="Residential")


def test_update_keeps_fields_that_are_omitted(api: Verbs) -> None:
    upsert(api, notes="VIP", customerTypeId=default_type_id())
    reply = upsert(api, companyName="Renamed")
    assert reply.body["notes"] == "VIP"
    assert reply.body["customerTypeId"] == default_type_id()


def test_admin_may_upsert(api: Verbs) -> None:
    assert upsert(api, role="admin").status == 201


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editor_and_viewer_get_403(api: Verbs, role: str) -> None:
    reply = upsert(api, role=role)
    assert reply.status == 403
    assert reply.body["code"] == "forbidden"


def test_integration_role_cannot_use_the_ordinary_create(api: Verbs) -> None:
    assert_problem(api.post("/customers", customer_body(), role="integration"), 403, "forbidden")


def test_remote_ids_are_per_org(api: Verbs) -> None:
    ours = upsert(api)
    theirs = api.put(PATH.format("QB-1"), {"companyName": "Globex"}, org="globex", role="integration")
    assert theirs.status == 201
    assert theirs.body["id"] != ours.body["id"]


def test_upsert_works_while_the_integration_owns_the_fields(api: Verbs) -> None:
    _enable_integration(api)
    assert upsert(api).status == 201
    reply = upsert(api, companyName="Owned But Ours", emails="ops@acme.test")
    assert reply.status == 200, reply.body
    assert reply.body["emails"] == ["ops@acme.test"]


def test_invalid_body_is_422(api: Verbs) -> None:
    reply = upsert(api, accountState="sleepy")
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "accountState"


def test_invalid_remote_id_is_422(api: Verbs) -> None:
    reply = api.put(PATH.format("has%20space"), {"companyName": "X"}, role="integration")
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "remoteId"


@pytest.mark.in_process
def test_a_lost_create_race_is_retried_as_an_update_with_200(api: Verbs, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other caller's marker lands between our read and our write: our transaction is cancelled
    on the marker, and we must answer 200 with the winner's id instead of an error or a duplicate."""
    winner = upsert(api)
    real_lookup = remote_ids.customer_id_for
    calls = {"n": 0}

    def stale_first_read(org: str, remote_id: str) -> str | None:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_lookup(org, remote_id)

    monkeypatch.setattr(remote_ids, "customer_id_for", stale_first_read)
    loser = upsert(api, companyName="Second Writer")
    assert loser.status == 200, loser.body
    assert loser.body["id"] == winner.body["id"]
    assert loser.body["companyName"] == "Second Writer"
    assert calls["n"] == 2
    listed = api.get("/customers").body["items"]
    assert [item["id"] for item in listed] == [winner.body["id"]]


@pytest.mark.in_process
def test_a_lost_update_race_is_retried(api: Verbs, monkeypatch: pytest.MonkeyPatch) -> None:
    """A concurrent update bumps the version between our read and our write: retried, not 412."""
    created = upsert(api)
    from clientele.services.customers import operations as customers

    real_change = customers.change
    calls = {"n": 0}

    def change_after_a_concurrent_write(org: str, customer_id: str, fields: Any, expected_version: int,
                                        **options: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            real_change(org, customer_id, fields, expected_version, **options)  # the other writer
        return real_change(org, customer_id, fields, expected_version, **options)

    monkeypatch.setattr(customers, "change", change_after_a_concurrent_write)
    reply = upsert(api, companyName="Later")
    assert reply.status == 200, reply.body
    assert reply.body["id"] == created.body["id"]
    assert reply.body["version"] == 3


def test_is_active_false_soft_deletes(api: Verbs) -> None:
    upsert(api)
    reply = upsert(api, isActive=False)
    assert reply.status == 200
    assert reply.body["isActive"] is False and reply.body["deletedAt"]


def test_is_active_true_restores_and_applies_the_fields(api: Verbs) -> None:
    upsert(api)
    upsert(api, isActive=False)
    reply = upsert(api, isActive=True, companyName="Back Again")
    assert reply.status == 200, reply.body
    assert reply.body["isActive"] is True
    assert reply.body["companyName"] == "Back Again"


def test_create_with_is_active_false_creates_a_deleted_customer_with_201(api: Verbs) -> None:
    reply = upsert(api, isActive=False)
    assert reply.status == 201, reply.body
    assert reply.body["isActive"] is False


def test_upsert_without_is_active_on_a_deleted_customer_is_409(api: Verbs) -> None:
    upsert(api)
    upsert(api, isActive=False)
    reply = upsert(api, companyName="Changed")
    assert reply.status == 409
    assert reply.body["code"] == "customer_deleted"


def test_a_creating_upsert_saves_the_contacts_it_sends_and_answers_with_them(api: Verbs) -> None:
    reply = upsert(api, contacts=[{"name": "Ana Ops", "email": "ana@acme.test"}])
    assert reply.status == 201, reply.body
    assert [contact["name"] for contact in reply.body["contacts"]] == ["Ana Ops"]
    stored = api.get(f"/customers/{reply.body['id']}").body
    assert [contact["email"] for contact in stored["contacts"]] == ["ana@acme.test"]
