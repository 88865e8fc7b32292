"""GET and PUT /settings (SPEC §4.1) through the real handlers."""

from __future__ import annotations

from typing import Any

import pytest

from clientele.store import settings as settings_store
from local.invoke import Verbs
from tests.api.parts import assert_problem

from .helpers import customer_body

OWNED = ("firstName", "lastName", "companyName", "emails", "phones", "billingAddress", "shippingAddress", "notes")

pytestmark = pytest.mark.over_http

DEFAULTS = {
    "defaultCountry": "US",
    "defaultAreaCode": None,
    "customerIntegrationEnabled": False,
    "integrationProvider": None,
    "quickbooksRealmId": None,
    "defaultCurrency": "USD",
}


def version(number: int) -> dict[str, str]:
    return {"If-Match": f'"{number}"'}


def put(api: Verbs, body: dict[str, Any], number: int = 1, org: str = "acme") -> dict[str, Any]:
    reply = api.put("/settings", body, headers=version(number), org=org)
    assert reply.status == 200, reply.body
    return reply.body


def test_a_new_org_has_the_default_settings(api: Verbs) -> None:
    reply = api.get("/settings")
    assert reply.status == 200
    assert reply.etag == '"1"'
    assert reply.body == {**DEFAULTS, "integrationOwnedFields": [], "version": 1}


@pytest.mark.parametrize("role", ["admin", "editor", "viewer", "integration"])
def test_every_role_can_read_the_settings(api: Verbs, role: str) -> None:
    assert api.get("/settings", role=role).status == 200


@pytest.mark.parametrize("role", ["editor", "viewer", "integration"])
def test_only_an_admin_may_replace_the_settings(api: Verbs, role: str) -> None:
    reply = api.put("/settings", {"defaultCountry": "GB"}, headers=version(1), role=role)
    assert reply.status == 403
    assert reply.body["code"] == "forbidden"


def test_settings_put_requires_if_match(api: Verbs) -> None:
    reply = api.put("/settings", {"defaultCountry": "GB"})
    assert reply.status == 428
    assert reply.body["code"] == "precondition_required"


def test_settings_put_with_a_stale_version_is_412_with_the_current_version(api: Verbs) -> None:
    put(api, {"defaultCountry": "GB"})
    reply = api.put("/settings", {"defaultCountry": "FR"}, headers=version(1))
    assert reply.status == 412
    assert reply.body["code"] == "version_conflict"
    assert reply.body["currentVersion"] == 2


def test_put_replaces_the_document_and_bumps_the_version(api: Verbs) -> None:
    document = {"defaultCountry": "KN", "defaultAreaCode": "869", "customerIntegrationEnabled": True,
                "integrationProvider": "quickbooks", "quickbooksRealmId": "9130350", "defaultCurrency": "XCD"}
    reply = api.put("/settings", document, headers=version(1))
    assert reply.status == 200
    assert reply.etag == '"2"'
    assert reply.body == {**document, "integrationOwnedFields": list(OWNED), "version": 2}
    assert api.get("/settings").body == reply.body


def test_an_omitted_field_takes_its_default(api: Verbs) -> None:
    put(api, {"defaultCountry": "KN", "defaultAreaCode": "869"})
    assert put(api, {"defaultCountry": "KN"}, number=2)["defaultAreaCode"] is None


def test_an_empty_document_restores_every_default(api: Verbs) -> None:
    put(api, {"defaultCountry": "GB", "customerIntegrationEnabled": True})
    assert put(api, {}, number=2) == {**DEFAULTS, "integrationOwnedFields": [], "version": 3}


def test_integration_owned_fields_list_the_owned_fields_while_the_integration_is_on(api: Verbs) -> None:
    switched_on = put(api, {"customerIntegrationEnabled": True, "integrationProvider": "quickbooks"})
    assert switched_on["integrationOwnedFields"] == list(OWNED)
    assert api.get("/settings").body["integrationOwnedFields"] == list(OWNED)


def test_integration_owned_fields_are_empty_again_once_the_integration_is_off(api: Verbs) -> None:
    put(api, {"customerIntegrationEnabled": True})
    assert put(api, {"customerIntegrationEnabled": False}, number=2)["integrationOwnedFields"] == []


def test_a_get_body_echoed_back_with_integration_owned_fields_is_accepted(api: Verbs) -> None:
    current = api.get("/settings").body
    assert put(api, {**current, "defaultCountry": "GB"})["defaultCountry"] == "GB"


def test_a_put_of_the_same_document_keeps_the_version(api: Verbs) -> None:
    reply = api.put("/settings", DEFAULTS, headers=version(1))
    assert reply.status == 200
    assert reply.etag == '"1"'


def test_the_version_echoed_in_the_body_is_ignored(api: Verbs) -> None:
    assert put(api, {"defaultCountry": "GB", "version": 99})["version"] == 2


def test_the_country_is_upper_cased(api: Verbs) -> None:
    assert put(api, {"defaultCountry": "kn"})["defaultCountry"] == "KN"


@pytest.mark.parametrize("country", ["XX", "USA", "", None])
def test_the_country_must_be_an_iso_alpha_2_code(api: Verbs, country: object) -> None:
    reply = api.put("/settings", {"defaultCountry": country}, headers=version(1))
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["defaultCountry"]


@pytest.mark.parametrize("area_code", ["21a", "123456", "", "٢١٢"])
def test_the_area_code_is_1_to_5_digits(api: Verbs, area_code: object) -> None:
    reply = api.put("/settings", {"defaultAreaCode": area_code}, headers=version(1))
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["defaultAreaCode"]


def test_the_integration_provider_is_quickbooks_or_null(api: Verbs) -> None:
    reply = api.put("/settings", {"integrationProvider": "salesforce"}, headers=version(1))
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["integrationProvider"]


def test_the_integration_flag_is_a_boolean(api: Verbs) -> None:
    reply = api.put("/settings", {"customerIntegrationEnabled": "yes"}, headers=version(1))
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["customerIntegrationEnabled"]


def test_an_unknown_field_is_refused(api: Verbs) -> None:
    reply = api.put("/settings", {"timezone": "UTC"}, headers=version(1))
    assert_problem(reply, 422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["timezone"]


def test_validation_comes_before_if_match(api: Verbs) -> None:
    assert_problem(api.put("/settings", {"defaultCountry": "XX"}), 422, "validation_error")


def test_new_settings_apply_to_the_next_customer_save(api: Verbs) -> None:
    put(api, {"defaultCountry": "KN", "defaultAreaCode": "869"})
    reply = api.post("/customers", customer_body(phones=["5551234"]))
    assert reply.status == 201
    assert reply.body["phones"] == ["+1-869-555-1234"]


@pytest.mark.in_process  # realm ids are unique across every org of the table
def test_realm_id_is_unique_across_orgs(api: Verbs) -> None:
    put(api, {"quickbooksRealmId": "9130350"})
    reply = api.put("/settings", {"quickbooksRealmId": "9130350"}, headers=version(1), org="globex")
    assert reply.status == 409
    assert reply.body["code"] == "duplicate"
    assert [error["field"] for error in reply.body["errors"]] == ["quickbooksRealmId"]
    assert api.get("/settings", org="globex").body["version"] == 1


@pytest.mark.in_process  # realm ids are unique across every org of the table
def test_an_org_may_save_its_settings_again_with_its_own_realm(api: Verbs) -> None:
    put(api, {"quickbooksRealmId": "9130350"})
    assert put(api, {"quickbooksRealmId": "9130350", "defaultCountry": "GB"}, number=2)["version"] == 3


@pytest.mark.in_process  # realm ids are unique across every org of the table
def test_a_realm_released_by_its_org_can_be_claimed_by_another(api: Verbs) -> None:
    put(api, {"quickbooksRealmId": "9130350"})
    put(api, {"quickbooksRealmId": "4620816"}, number=2)
    assert put(api, {"quickbooksRealmId": "9130350"}, org="globex")["quickbooksRealmId"] == "9130350"


@pytest.mark.in_process  # realm ids are unique across every org of the table
def test_a_cleared_realm_can_be_claimed_by_another_org(api: Verbs) -> None:
    put(api, {"quickbooksRealmId": "9130350"})
    put(api, {"quickbooksRealmId": None}, number=2)
    assert api.put("/settings", {"quickbooksRealmId": "9130350"}, headers=version(1), org="globex").status == 200


@pytest.mark.in_process  # realm ids are unique across every org of the table
def test_a_realm_maps_to_the_org_that_holds_it(api: Verbs) -> None:
    put(api, {"quickbooksRealmId": "9130350"})
    put(api, {"quickbooksRealmId": "4620816"}, number=2)
    assert settings_store.org_for_realm("4620816") == "acme"
    assert settings_store.org_for_realm("9130350") is None


def test_another_orgs_settings_are_their_own(api: Verbs) -> None:
    put(api, {"defaultCountry": "GB"}, org="globex")
    assert api.get("/settings").body["defaultCountry"] == "US"


# --- defaultCurrency (SPEC §13) -------------------------------------------------------------------------


def test_default_currency_is_stored_upper_cased(api: Verbs) -> None:
    assert put(api, {"defaultCurrency": "eur"})["defaultCurrency"] == "EUR"
    assert api.get("/settings").body["defaultCurrency"] == "EUR"


def test_a_default_currency_that_is_not_iso_4217_is_422_naming_it(api: Verbs) -> None:
    reply = api.put("/settings", {"defaultCurrency": "EUX"}, headers=version(1))
    assert (reply.status, reply.body["code"]) == (422, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["defaultCurrency"]
