"""Field ownership while customerIntegrationEnabled is on (SPEC §5.3)."""

from __future__ import annotations

from typing import Any

import pytest

from local.invoke import Reply, Verbs
from tests.api.parts import assert_problem

from .helpers import customer_body, default_type_id

pytestmark = pytest.mark.over_http


def _set_integration(api: Verbs, enabled: bool, **settings: Any) -> None:
    current = api.get("/settings")
    reply = api.put("/settings", {**current.body, "customerIntegrationEnabled": enabled, **settings},
                    headers={"if-match": current.etag})
    assert reply.status == 200, reply.body


def _customer(api: Verbs, **fields: Any) -> Reply:
    reply = api.post("/customers", customer_body(firstName="Ada", lastName="Lovelace", emails="ada@example.com",
                                                 phones="+1 212 555 0101", notes="VIP",
                                                 billingAddress={"city": "London", "country": "gb"}, **fields))
    assert reply.status == 201, reply.body
    return reply


def _patch(api: Verbs, created: Reply, body: dict[str, Any]) -> Reply:
    return api.patch(f"/customers/{created.body['id']}", body, headers={"if-match": created.etag})


def _put(api: Verbs, created: Reply, body: dict[str, Any]) -> Reply:
    return api.put(f"/customers/{created.body['id']}", body, headers={"if-match": created.etag})


def test_create_is_409_integration_enabled(api: Verbs) -> None:
    _set_integration(api, True)
    reply = api.post("/customers", customer_body())
    assert reply.status == 409
    assert reply.body["code"] == "integration_enabled"


def test_patch_changing_an_owned_field_is_409_listing_it(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    reply = _patch(api, created, {"companyName": "Renamed"})
    assert reply.status == 409
    assert reply.body["code"] == "field_owned_by_integration"
    assert reply.body["fields"] == ["companyName"]


def test_patch_changing_several_owned_fields_lists_all_of_them(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    reply = _patch(api, created, {"firstName": "Grace", "emails": "grace@example.com", "notes": None})
    assert_problem(reply, 409, "field_owned_by_integration")
    assert reply.body["fields"] == ["firstName", "emails", "notes"]
    assert [error["field"] for error in reply.body["errors"]] == ["firstName", "emails", "notes"]


def test_refused_change_saves_nothing(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    _patch(api, created, {"companyName": "Renamed", "accountPriority": "high"})
    after = api.get(f"/customers/{created.body['id']}")
    assert after.body["companyName"] == "Acme Hotels"
    assert after.body["accountPriority"] == "standard"
    assert after.body["version"] == 1


def test_patch_of_a_field_not_owned_is_allowed(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    reply = _patch(api, created, {"accountPriority": "high", "discountRate": 5})
    assert reply.status == 200, reply.body
    assert reply.body["accountPriority"] == "high"


def test_patch_sending_an_owned_field_with_its_stored_value_is_allowed(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    reply = _patch(api, created, {"companyName": "Acme Hotels", "accountState": "growth"})
    assert reply.status == 200, reply.body


def test_owned_values_are_compared_after_normalisation(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    reply = _patch(api, created, {"emails": "ADA@example.com", "phones": ["+1 (212) 555-0101"],
                                  "firstName": " Ada ", "billingAddress": {"city": "London", "country": "GB"}})
    assert reply.status == 200, reply.body


def test_put_keeps_omitted_owned_fields_as_stored(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    reply = _put(api, created, {"customerTypeId": default_type_id(), "accountPriority": "low"})
    assert reply.status == 200, reply.body
    assert reply.body["firstName"] == "Ada"
    assert reply.body["emails"] == ["ada@example.com"]
    assert reply.body["notes"] == "VIP"
    assert reply.body["billingAddress"]["city"] == "London"
    assert reply.body["accountPriority"] == "low"


def test_put_of_the_document_as_read_is_allowed(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    document = api.get(f"/customers/{created.body['id']}").body
    reply = _put(api, created, {**document, "accountState": "at_risk"})
    assert reply.status == 200, reply.body
    assert reply.body["accountState"] == "at_risk"


def test_put_with_a_changed_owned_field_is_409(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    reply = _put(api, created, {"customerTypeId": default_type_id(), "lastName": "Byron"})
    assert_problem(reply, 409, "field_owned_by_integration")
    assert reply.body["fields"] == ["lastName"]


def test_owned_fields_are_editable_when_the_integration_is_off(api: Verbs) -> None:
    created = _customer(api)
    reply = _patch(api, created, {"companyName": "Renamed"})
    assert reply.status == 200


def test_stale_if_match_is_412_before_ownership(api: Verbs) -> None:
    created = _customer(api)
    _set_integration(api, True)
    reply = api.patch(f"/customers/{created.body['id']}", {"companyName": "X"}, headers={"if-match": '"9"'})
    assert_problem(reply, 412, "version_conflict")
