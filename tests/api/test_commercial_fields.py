"""Commercial fields of customers and sales orders (SPEC §13) through the real handlers: currency
(fixed once the customer has orders), payment terms, tax ids, tax exemption, resale number, website,
and the credit limit with the exact open order value and the admin's override."""

from __future__ import annotations

from typing import Any

import pytest

from local.invoke import Reply, Verbs

from .helpers import customer_body

pytestmark = pytest.mark.over_http

LINE = {"description": "Widget", "quantity": 2, "unitPrice": "100.00"}  # an order of 200.00


def if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def new_customer(api: Verbs, **fields: Any) -> dict[str, Any]:
    reply = api.post("/customers", customer_body(**fields))
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.body
    return body


def patch(api: Verbs, customer: dict[str, Any], changes: dict[str, Any], role: str = "admin") -> Reply:
    current = api.get(f"/customers/{customer['id']}").body
    return api.patch(f"/customers/{customer['id']}", changes, headers=if_match(current["version"]), role=role)


def new_order(api: Verbs, customer: dict[str, Any], **fields: Any) -> dict[str, Any]:
    reply = api.post("/sales-orders", {"customerId": customer["id"], "lines": [LINE], **fields})
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.body
    return body


def confirm(api: Verbs, order: dict[str, Any], role: str = "editor", **extra: Any) -> Reply:
    return api.patch(f"/sales-orders/{order['id']}", {"status": "confirmed", **extra},
                     headers=if_match(order["version"]), role=role)


def payment_terms(api: Verbs, name: str = "Net 30", net_days: int = 30) -> dict[str, Any]:
    reply = api.post("/payment-terms", {"name": name, "netDays": net_days})
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.body
    return body


def fields_named(reply: Reply) -> list[str]:
    return [error["field"] for error in reply.body["errors"]]


# --- currency ----------------------------------------------------------------------------------------------


def test_a_new_customer_is_in_the_orgs_default_currency(api: Verbs) -> None:
    assert new_customer(api)["currency"] == "USD"
    settings = api.get("/settings")
    assert api.put("/settings", {**settings.body, "defaultCurrency": "EUR"}, headers={"If-Match": settings.etag}
                   ).status == 200
    assert new_customer(api)["currency"] == "EUR"


def test_a_currency_is_stored_as_its_upper_case_iso_code(api: Verbs) -> None:
    assert new_customer(api, currency="gbp")["currency"] == "GBP"


def test_a_currency_that_is_not_iso_4217_is_422_naming_it(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(currency="EUX"))
    assert (reply.status, reply.body["code"], fields_named(reply)) == (422, "validation_error", ["currency"])


def test_a_customer_without_orders_may_change_its_currency(api: Verbs) -> None:
    customer = new_customer(api)
    reply = patch(api, customer, {"currency": "CAD"})
    assert (reply.status, reply.body["currency"]) == (200, "CAD")


def test_changing_the_currency_of_a_customer_with_orders_is_409_in_use(api: Verbs) -> None:
    customer = new_customer(api, currency="EUR")
    new_order(api, customer)
    reply = patch(api, customer, {"currency": "USD"})
    assert (reply.status, reply.body["code"], fields_named(reply)) == (409, "in_use", ["currency"])
    stored = api.get(f"/customers/{customer['id']}").body
    assert (stored["currency"], stored["version"]) == ("EUR", 1)


def test_a_customer_with_orders_keeps_every_other_field_editable(api: Verbs) -> None:
    customer = new_customer(api, currency="EUR")
    new_order(api, customer)
    reply = patch(api, customer, {"notes": "Still editable", "currency": "eur"})
    assert (reply.status, reply.body["currency"], reply.body["notes"]) == (200, "EUR", "Still editable")


def test_a_sales_order_copies_the_customers_currency(api: Verbs) -> None:
    customer = new_customer(api, currency="JPY")
    assert new_order(api, customer)["currency"] == "JPY"


# --- payment terms -------------------------------------------------------------------------------------


def test_payment_terms_are_a_taxonomy_with_net_days(api: Verbs) -> None:
    terms = payment_terms(api, "Net 45", 45)
    assert (terms["name"], terms["netDays"], terms["sortOrder"], terms["isActive"]) == ("Net 45", 45, 0, True)
    assert [entry["netDays"] for entry in api.get("/payment-terms").body["items"]] == [45]
    changed = api.patch(f"/payment-terms/{terms['id']}", {"netDays": 60}, headers=if_match(terms["version"]))
    assert (changed.status, changed.body["netDays"], changed.body["version"]) == (200, 60, 2)


@pytest.mark.parametrize("body", [{"name": "Net"}, {"name": "Net", "netDays": -1}, {"name": "Net", "netDays": None}])
def test_payment_terms_need_net_days_of_zero_or_more(api: Verbs, body: dict[str, Any]) -> None:
    reply = api.post("/payment-terms", body)
    assert (reply.status, reply.body["code"], fields_named(reply)) == (422, "validation_error", ["netDays"])


def test_payment_terms_names_are_unique_case_insensitively(api: Verbs) -> None:
    payment_terms(api, "Net 30")
    reply = api.post("/payment-terms", {"name": "NET 30", "netDays": 30})
    assert (reply.status, reply.body["code"]) == (409, "duplicate")


def test_a_customer_references_payment_terms_of_the_org(api: Verbs) -> None:
    terms = payment_terms(api)
    assert new_customer(api, paymentTermsId=terms["id"])["paymentTermsId"] == terms["id"]
    reply = api.post("/customers", customer_body("globex", paymentTermsId=terms["id"]), org="globex")
    assert (reply.status, reply.body["code"], fields_named(reply)) == (422, "validation_error", ["paymentTermsId"])


def test_a_sales_order_copies_the_terms_name_and_net_days_as_they_were(api: Verbs) -> None:
    terms = payment_terms(api, "Net 30", 30)
    order = new_order(api, new_customer(api, paymentTermsId=terms["id"]))
    assert order["paymentTerms"] == {"id": terms["id"], "name": "Net 30", "netDays": 30}
    api.patch(f"/payment-terms/{terms['id']}", {"name": "Net 35", "netDays": 35}, headers=if_match(1))
    assert api.get(f"/sales-orders/{order['id']}").body["paymentTerms"]["netDays"] == 30


def test_customers_are_listed_by_payment_terms(api: Verbs) -> None:
    terms = payment_terms(api)
    with_terms = new_customer(api, companyName="Termed", paymentTermsId=terms["id"])
    new_customer(api, companyName="Untermed")
    listed = api.get("/customers", query=f"paymentTermsId={terms['id']}").body["items"]
    assert [item["id"] for item in listed] == [with_terms["id"]]


def test_deleted_payment_terms_read_as_null_at_once(api: Verbs) -> None:
    terms = payment_terms(api)
    customer = new_customer(api, paymentTermsId=terms["id"])
    assert api.delete(f"/payment-terms/{terms['id']}", headers=if_match(1)).status == 204
    assert api.get(f"/customers/{customer['id']}").body["paymentTermsId"] is None


# --- tax ids, exemption, resale number, website -----------------------------------------------------------


def test_a_valid_eu_vat_number_is_stored_compact(api: Verbs) -> None:
    customer = new_customer(api, taxIds=[{"scheme": "eu_vat", "value": "BE 0403.019.261"}])
    assert customer["taxIds"] == [{"scheme": "eu_vat", "value": "BE0403019261"}]


def test_an_eu_vat_number_with_a_wrong_check_digit_is_422_naming_the_entry(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(taxIds=[{"scheme": "other", "value": "A-1"},
                                                         {"scheme": "eu_vat", "value": "BE 0403.019.262"}]))
    assert (reply.status, reply.body["code"], fields_named(reply)) == (422, "validation_error", ["taxIds[1].value"])


def test_a_tax_id_of_an_unknown_scheme_is_422(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(taxIds=[{"scheme": "ch_uid", "value": "CHE-123"}]))
    assert (reply.status, reply.body["code"]) == (422, "validation_error")


def test_null_clears_the_tax_ids(api: Verbs) -> None:
    customer = new_customer(api, taxIds=[{"scheme": "us_ein", "value": "04-2103594"}])
    assert patch(api, customer, {"taxIds": None}).body["taxIds"] == []


def test_tax_exemption_and_resale_number_are_kept(api: Verbs) -> None:
    customer = new_customer(api, taxExempt=True, resaleNumber="  RS-2026-17 ")
    assert (customer["taxExempt"], customer["resaleNumber"]) == (True, "RS-2026-17")
    assert new_customer(api)["taxExempt"] is False


def test_a_website_is_kept_as_written(api: Verbs) -> None:
    assert new_customer(api, website="https://acme.example")["website"] == "https://acme.example"


@pytest.mark.parametrize("website", ["ftp://acme.example", "https://acme example", "acme.example"])
def test_a_website_that_is_not_an_http_url_is_422_naming_it(api: Verbs, website: str) -> None:
    reply = api.post("/customers", customer_body(website=website))
    assert (reply.status, reply.body["code"], fields_named(reply)) == (422, "validation_error", ["website"])


# --- credit limit and open order value ----------------------------------------------------------------------


def test_the_credit_limit_is_money_and_the_open_order_value_starts_at_zero(api: Verbs) -> None:
    customer = new_customer(api, creditLimit="5000")
    assert (customer["creditLimit"], customer["openOrderValue"]) == ("5000.00", "0.00")


def test_the_open_order_value_is_the_sum_of_the_confirmed_orders(api: Verbs) -> None:
    customer = new_customer(api)
    first, second, draft = new_order(api, customer), new_order(api, customer), new_order(api, customer)
    assert confirm(api, first).status == 200 and confirm(api, second).status == 200
    assert draft["status"] == "draft"
    assert api.get(f"/customers/{customer['id']}").body["openOrderValue"] == "400.00"


def test_cancelling_a_confirmed_order_takes_it_out_of_the_open_order_value(api: Verbs) -> None:
    customer = new_customer(api)
    order = confirm(api, new_order(api, customer)).body
    cancelled = api.patch(f"/sales-orders/{order['id']}", {"status": "cancelled"}, headers=if_match(order["version"]))
    assert cancelled.status == 200
    assert api.get(f"/customers/{customer['id']}").body["openOrderValue"] == "0.00"


def test_confirming_within_the_credit_limit_succeeds(api: Verbs) -> None:
    customer = new_customer(api, creditLimit="200.00")
    assert confirm(api, new_order(api, customer)).status == 200


def test_confirming_over_the_credit_limit_is_409_with_both_figures(api: Verbs) -> None:
    customer = new_customer(api, creditLimit="300.00")
    assert confirm(api, new_order(api, customer)).status == 200
    order = new_order(api, customer)
    reply = confirm(api, order)
    assert (reply.status, reply.body["code"]) == (409, "credit_limit_exceeded")
    assert (reply.body["creditLimit"], reply.body["openOrderValue"], reply.body["orderTotal"]) == (
        "300.00", "200.00", "200.00")
    stored = api.get(f"/sales-orders/{order['id']}").body
    assert (stored["status"], stored["version"]) == ("draft", 1)
    assert api.get(f"/customers/{customer['id']}").body["openOrderValue"] == "200.00"


def test_creating_an_order_confirmed_over_the_credit_limit_is_409(api: Verbs) -> None:
    customer = new_customer(api, creditLimit="100.00")
    reply = api.post("/sales-orders", {"customerId": customer["id"], "status": "confirmed", "lines": [LINE]})
    assert (reply.status, reply.body["code"]) == (409, "credit_limit_exceeded")
    assert api.get(f"/customers/{customer['id']}/sales-orders").body["items"] == []


def test_an_admin_confirms_over_the_credit_limit_with_an_override_recorded_on_the_order(api: Verbs) -> None:
    customer = new_customer(api, creditLimit="100.00")
    reply = confirm(api, new_order(api, customer), role="admin", overrideCreditLimit=True)
    assert reply.status == 200, reply.body
    override = reply.body["creditLimitOverride"]
    assert override["by"] and override["at"] == reply.body["confirmedAt"]
    assert api.get(f"/customers/{customer['id']}").body["openOrderValue"] == "200.00"


def test_an_editor_may_not_override_the_credit_limit(api: Verbs) -> None:
    customer = new_customer(api, creditLimit="100.00")
    reply = confirm(api, new_order(api, customer), role="editor", overrideCreditLimit=True)
    assert (reply.status, reply.body["code"]) == (403, "forbidden")


def test_lowering_the_credit_limit_below_the_open_order_value_is_allowed_and_gates_new_confirmations(
        api: Verbs) -> None:
    customer = new_customer(api, creditLimit="1000.00")
    assert confirm(api, new_order(api, customer)).status == 200
    lowered = patch(api, customer, {"creditLimit": "100.00"})
    assert (lowered.status, lowered.body["creditLimit"], lowered.body["openOrderValue"]) == (200, "100.00", "200.00")
    assert confirm(api, new_order(api, customer)).body["code"] == "credit_limit_exceeded"


def test_raising_the_credit_limit_lets_the_confirmation_through(api: Verbs) -> None:
    customer = new_customer(api, creditLimit="100.00")
    order = new_order(api, customer)
    assert confirm(api, order).status == 409
    assert patch(api, customer, {"creditLimit": "250.00"}).status == 200
    assert confirm(api, order).status == 200


def test_without_a_credit_limit_confirmations_are_not_limited(api: Verbs) -> None:
    customer = new_customer(api, creditLimit="100.00")
    assert patch(api, customer, {"creditLimit": None}).body["creditLimit"] is None
    assert confirm(api, new_order(api, customer)).status == 200


def test_a_credit_limit_set_after_orders_were_confirmed_counts_them(api: Verbs) -> None:
    customer = new_customer(api)
    assert confirm(api, new_order(api, customer)).status == 200
    assert patch(api, customer, {"creditLimit": "300.00"}).status == 200
    reply = confirm(api, new_order(api, customer))
    assert (reply.status, reply.body["openOrderValue"]) == (409, "200.00")


def test_open_order_value_and_override_are_read_only(api: Verbs) -> None:
    customer = new_customer(api)
    reply = patch(api, customer, {"openOrderValue": "999.00"})
    assert (reply.status, reply.body["openOrderValue"]) == (200, "0.00")
