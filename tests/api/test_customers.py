"""POST/GET/PATCH/PUT/DELETE/restore of customers (SPEC §4.3) through the real handlers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from clientele.domain.references import Kind
from clientele.services import orgs
from local.invoke import Verbs

from .helpers import customer_body, default_type_id
from .parts import assert_problem, set_dialing

pytestmark = pytest.mark.over_http


def create(api: Verbs, org: str = "acme", **fields: Any) -> dict[str, Any]:
    reply = api.post("/customers", customer_body(org, **fields), org=org)
    assert reply.status == 201, reply.body
    return reply.body


def test_create_returns_201_with_location_etag_and_display_name(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(firstName="Ada", lastName="Lovelace", companyName="Engines"))
    assert reply.status == 201
    assert reply.headers["Location"] == f"/customers/{reply.body['id']}"
    assert reply.etag == '"1"'
    assert reply.body["displayName"] == "Ada Lovelace (Engines)"
    assert reply.body["version"] == 1
    assert reply.body["isActive"] is True and reply.body["deletedAt"] is None


def test_create_embeds_the_customer_type(api: Verbs) -> None:
    body = create(api)
    assert body["customerType"] == {"id": default_type_id(), "name": "Commercial", "color": "blue"}


def test_create_applies_enum_defaults(api: Verbs) -> None:
    body = create(api)
    assert body["accountState"] == "active"
    assert body["accountPriority"] == "standard"


def test_first_name_or_company_name_is_required(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(companyName=None, lastName="Only"))
    assert reply.status == 422
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.body["code"] == "validation_error"
    assert reply.body["errors"][0]["field"] == "firstName"


def test_customer_type_is_required(api: Verbs) -> None:
    reply = api.post("/customers", {"companyName": "Acme"})
    assert_problem(reply, 422, "validation_error")
    assert [e["field"] for e in reply.body["errors"]] == ["customerTypeId"]


def test_customer_type_of_another_org_is_refused(api: Verbs) -> None:
    other = default_type_id("globex")
    reply = api.post("/customers", customer_body(customerTypeId=other))
    assert_problem(reply, 422, "validation_error")


def test_display_name_sent_by_the_client_is_ignored(api: Verbs) -> None:
    body = create(api, firstName="Ada", companyName=None, displayName="Hacked")
    assert body["displayName"] == "Ada"


def test_phones_are_normalised_with_the_org_country_and_area_code(api: Verbs, table: str) -> None:
    set_dialing("acme", "US", "212")
    body = create(api, phones="555 0101, +44 20 7946 0958")
    assert body["phones"] == ["+1-212-555-0101", "+44-20-7946-0958"]
    assert body["phone"] == "+1-212-555-0101"


def test_local_phone_without_area_code_is_422_naming_the_entry(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(phones=["212 555 0101", "555 0101"]))
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "phones[1]"


def test_emails_are_lower_cased_and_the_first_is_the_main_one(api: Verbs) -> None:
    body = create(api, emails="Ada@Example.com, ops@example.com, ada@example.com")
    assert body["emails"] == ["ada@example.com", "ops@example.com"]
    assert body["email"] == "ada@example.com"


def test_invalid_email_is_422(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(emails=["nope"]))
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "emails[0]"


def test_address_country_is_validated_and_upper_cased(api: Verbs) -> None:
    body = create(api, billingAddress={"line1": "1 Main St", "country": "kn"})
    assert body["billingAddress"]["country"] == "KN"
    reply = api.post("/customers", customer_body(shippingAddress={"country": "XX"}))
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "shippingAddress.country"


def test_percentages_accept_numbers_and_numeric_strings_and_return_numbers(api: Verbs) -> None:
    assert create(api, discountRate="12.5")["discountRate"] == 12.5
    assert create(api, discountRate=7)["discountRate"] == 7


def test_percentages_outside_0_to_100_are_422(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(discountRate=101))
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "discountRate"


def test_unknown_fields_are_422_naming_the_field(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(favouriteColour="red"))
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "favouriteColour"


def test_get_returns_the_customer_with_its_etag(api: Verbs) -> None:
    created = create(api)
    reply = api.get(f"/customers/{created['id']}")
    assert reply.status == 200
    assert reply.etag == '"1"'
    assert reply.body["id"] == created["id"]


def test_non_uuid_id_is_404(api: Verbs) -> None:
    reply = api.get("/customers/not-a-uuid")
    assert reply.status == 404
    assert reply.body["code"] == "not_found"


def test_another_orgs_customer_is_404(api: Verbs) -> None:
    created = create(api)
    assert_problem(api.get(f"/customers/{created['id']}", org="globex"), 404, "not_found")


def test_patch_changes_only_sent_fields_and_bumps_the_version(api: Verbs) -> None:
    created = create(api, firstName="Ada", notes="keep")
    reply = api.patch(f"/customers/{created['id']}", {"lastName": "Lovelace"}, headers={"If-Match": '"1"'})
    assert reply.status == 200, reply.body
    assert reply.body["displayName"] == "Ada Lovelace (Acme Hotels)"
    assert reply.body["notes"] == "keep"
    assert reply.etag == '"2"'


def test_patch_null_clears_an_optional_field(api: Verbs) -> None:
    created = create(api, notes="x", discountRate=5)
    reply = api.patch(f"/customers/{created['id']}", {"notes": None, "discountRate": None},
                      headers={"If-Match": '"1"'})
    assert reply.body["notes"] is None and reply.body["discountRate"] is None


def test_patch_that_removes_every_name_is_422(api: Verbs) -> None:
    created = create(api)
    reply = api.patch(f"/customers/{created['id']}", {"companyName": None}, headers={"If-Match": '"1"'})
    assert_problem(reply, 422, "validation_error")


def test_patch_without_if_match_is_428(api: Verbs) -> None:
    created = create(api)
    reply = api.patch(f"/customers/{created['id']}", {"notes": "x"})
    assert reply.status == 428
    assert reply.body["code"] == "precondition_required"


def test_patch_with_stale_if_match_is_412_with_current_version(api: Verbs) -> None:
    created = create(api)
    api.patch(f"/customers/{created['id']}", {"notes": "a"}, headers={"If-Match": '"1"'})
    reply = api.patch(f"/customers/{created['id']}", {"notes": "b"}, headers={"If-Match": 'W/"1"'})
    assert reply.status == 412
    assert reply.body["code"] == "version_conflict"
    assert reply.body["currentVersion"] == 2


def test_validation_comes_before_the_precondition(api: Verbs) -> None:
    created = create(api)
    reply = api.patch(f"/customers/{created['id']}", {"discountRate": "lots"})
    assert_problem(reply, 422, "validation_error")


def test_put_replaces_the_document_and_omitted_fields_take_defaults(api: Verbs) -> None:
    created = create(api, notes="gone", accountState="growth")
    reply = api.put(f"/customers/{created['id']}", customer_body(companyName="Renamed"), headers={"If-Match": '"1"'})
    assert reply.status == 200, reply.body
    assert reply.body["notes"] is None
    assert reply.body["accountState"] == "active"
    assert reply.body["displayName"] == "Renamed"


def test_put_accepts_the_document_it_got_from_get(api: Verbs) -> None:
    created = create(api)
    document = api.get(f"/customers/{created['id']}").body
    document["notes"] = "edited"
    reply = api.put(f"/customers/{created['id']}", document, headers={"If-Match": '"1"'})
    assert reply.status == 200, reply.body
    assert reply.body["notes"] == "edited"


def test_delete_is_soft_and_the_customer_stays_readable(api: Verbs) -> None:
    created = create(api)
    reply = api.delete(f"/customers/{created['id']}", headers={"If-Match": '"1"'})
    assert reply.status == 204
    body = api.get(f"/customers/{created['id']}").body
    assert body["deletedAt"] is not None and body["isActive"] is False


def test_writes_to_a_deleted_customer_are_409_customer_deleted(api: Verbs) -> None:
    created = create(api)
    api.delete(f"/customers/{created['id']}", headers={"If-Match": '"1"'})
    reply = api.patch(f"/customers/{created['id']}", {"notes": "x"}, headers={"If-Match": '"2"'})
    assert reply.status == 409
    assert reply.body["code"] == "customer_deleted"


def test_restore_brings_a_customer_back(api: Verbs) -> None:
    created = create(api)
    api.delete(f"/customers/{created['id']}", headers={"If-Match": '"1"'})
    reply = api.post(f"/customers/{created['id']}/restore", headers={"If-Match": '"2"'})
    assert reply.status == 200
    assert reply.body["deletedAt"] is None and reply.body["version"] == 3


def test_restore_needs_if_match(api: Verbs) -> None:
    created = create(api)
    assert_problem(api.post(f"/customers/{created['id']}/restore"), 428, "precondition_required")


def test_delete_of_missing_customer_is_404(api: Verbs) -> None:
    reply = api.delete(f"/customers/{uuid.uuid4()}", headers={"If-Match": '"1"'})
    assert_problem(reply, 404, "not_found")


def test_broker_fee_defaults_to_the_brokers_default(api: Verbs, table: str) -> None:
    broker = _add_entry("acme", "broker", "Brokerage", defaultFeePercent=3)
    assert create(api, brokerId=broker)["brokerFeePercent"] == 3
    assert create(api, brokerId=broker, brokerFeePercent="4.5")["brokerFeePercent"] == 4.5


def test_a_deleted_segment_reads_as_null(api: Verbs, table: str) -> None:
    from clientele.store import taxonomies

    segment = _add_entry("acme", "segment", "Clubs")
    created = create(api, customerSegmentId=segment)
    assert created["customerSegmentId"] == segment
    catalog = orgs.refresh("acme")
    entry = catalog.entry("segment", segment)
    assert entry is not None
    taxonomies.delete_entry("acme", entry, 1, catalog.list_versions["segment"], False)
    orgs.forget("acme")
    assert api.get(f"/customers/{created['id']}").body["customerSegmentId"] is None


def test_roles_viewer_reads_but_cannot_write(api: Verbs) -> None:
    created = create(api)
    assert api.get(f"/customers/{created['id']}", role="viewer").status == 200
    reply = api.post("/customers", customer_body(), role="viewer")
    assert reply.status == 403
    assert reply.body["code"] == "forbidden"


def test_missing_claims_are_401(api: Verbs) -> None:
    reply = api.get("/customers", org=None)
    assert reply.status == 401
    assert reply.body["code"] == "unauthorized"


def test_wrong_content_type_is_415(api: Verbs) -> None:
    reply = api.post("/customers", raw_body="a,b", headers={"content-type": "text/csv"})
    assert_problem(reply, 415, "unsupported_media_type")


def test_malformed_json_is_422(api: Verbs) -> None:
    reply = api.post("/customers", raw_body="{not json")
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "body"


@pytest.mark.in_process
def test_org_is_provisioned_with_three_default_types(api: Verbs) -> None:
    catalog = orgs.ensure_provisioned("fresh-org")
    types = [(t["name"], t["color"], t["sortOrder"], t["hierarchyRole"]) for t in catalog.ordered("type")]
    assert types == [("Residential", "green", 0, "none"), ("Commercial", "blue", 1, "none"),
                     ("Government", "yellow", 2, "none")]


# --- helpers that reach below the API ------------------------------------------------------------------

def _add_entry(org: str, kind: Kind, name: str, **extra: Any) -> str:
    from clientele import clock
    from clientele.store import taxonomies

    catalog = orgs.refresh(org)
    entry_id = clock.new_id()
    item = {"entity": "taxonomy", "kind": kind, "id": entry_id, "name": name, "sortOrder": 0, "isActive": True,
            "version": 1, "createdAt": clock.now_iso(), **extra}
    taxonomies.create_entry(org, item, catalog.list_versions[kind])
    orgs.forget(org)
    return entry_id
