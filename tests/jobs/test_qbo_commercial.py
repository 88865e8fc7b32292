"""The QuickBooks mapping of the commercial fields (SPEC §13): WebAddr, ResaleNum, Taxable, CurrencyRef,
SalesTermRef (by name) and PrimaryTaxIdentifier, on Intuit's shapes (tests/jobs/qbo_fixtures.py names
each source), through the sync job against the fake QuickBooks."""

from __future__ import annotations

from typing import Any

import pytest

from local.invoke import Verbs

from . import test_qbo_sync as sync
from .fake_qbo import FakeQbo
from .qbo_fixtures import MASKED_TAX_ID, commercial_fields

# The sync tests' fixtures (acme connected to the fake QuickBooks holding Intuit's sample customers).
qbo, bus, connected = sync.qbo, sync.bus, sync.connected
customer, run = sync.customer, sync.run


def _payment_terms(api: Verbs, name: str = "Net 30", net_days: int = 30) -> dict[str, Any]:
    reply = api.post("/payment-terms", {"name": name, "netDays": net_days})
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.body
    return body


def _sync_one(connected: FakeQbo, **fields: Any) -> None:
    connected.put("7", CompanyName="Commerce Corp", **fields)


def test_website_resale_number_tax_exemption_and_currency_come_from_quickbooks(
        api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, **commercial_fields(website="http://www.intuit.com", resale="R-2026-001", taxable=False,
                                             currency="CAD", terms=None))
    run()
    synced = customer(api, "7")
    assert (synced["website"], synced["resaleNumber"], synced["taxExempt"], synced["currency"]) == (
        "http://www.intuit.com", "R-2026-001", True, "CAD")


def test_a_taxable_quickbooks_customer_is_not_tax_exempt(api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, **commercial_fields(taxable=True, terms=None))
    run()
    assert customer(api, "7")["taxExempt"] is False


def test_a_bare_web_address_gets_https_in_front(api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, **commercial_fields(website="www.commerce.example", terms=None))
    run()
    assert customer(api, "7")["website"] == "https://www.commerce.example"


def test_sales_terms_map_to_the_local_payment_terms_of_the_same_name(api: Verbs, connected: FakeQbo) -> None:
    terms = _payment_terms(api, "net 30")  # names compare case-insensitively
    _sync_one(connected, **commercial_fields(terms=("3", "Net 30")))
    run()
    assert customer(api, "7")["paymentTermsId"] == terms["id"]


def test_a_sales_term_ref_without_its_name_is_looked_up_in_quickbooks_terms_once(
        api: Verbs, connected: FakeQbo) -> None:
    terms = _payment_terms(api, "Net 15", 15)
    _sync_one(connected, **commercial_fields(terms=("2", None)))
    connected.put("8", CompanyName="Second Corp", **commercial_fields(terms=("2", None)))
    run()
    assert customer(api, "7")["paymentTermsId"] == customer(api, "8")["paymentTermsId"] == terms["id"]
    term_queries = [seen for seen in connected.api_requests("/query") if "from Term" in seen.params["query"]]
    assert len(term_queries) == 1


def test_sales_terms_with_no_local_payment_terms_of_that_name_are_a_run_warning(
        api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, **commercial_fields(terms=("4", "Net 60")))
    run()
    assert customer(api, "7")["paymentTermsId"] is None
    warnings = api.get("/integrations/quickbooks/sync").body["warnings"]
    assert [(warning["remoteId"], "Net 60" in warning["message"]) for warning in warnings] == [("7", True)]


def test_an_unmasked_primary_tax_identifier_of_a_uk_customer_is_its_gb_vat_number(
        api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, BillAddr={"City": "London", "Country": "United Kingdom"},
              **commercial_fields(tax_id="GB 980 7806 84", terms=None))
    run()
    assert customer(api, "7")["taxIds"] == [{"scheme": "gb_vat", "value": "980780684"}]


def test_a_masked_primary_tax_identifier_is_left_out_with_a_warning(api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, BillAddr={"City": "London", "Country": "GBR"},
              **commercial_fields(tax_id=MASKED_TAX_ID, terms=None))
    run()
    assert customer(api, "7")["taxIds"] == []
    [warning] = api.get("/integrations/quickbooks/sync").body["warnings"]
    assert "masked" in warning["message"]


def test_a_primary_tax_identifier_failing_its_check_is_kept_as_other_with_a_warning(
        api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, BillAddr={"City": "Sydney", "Country": "AUS"},
              **commercial_fields(tax_id="83 914 571 674", terms=None))
    run()
    assert customer(api, "7")["taxIds"] == [{"scheme": "other", "value": "83 914 571 674"}]
    [warning] = api.get("/integrations/quickbooks/sync").body["warnings"]
    assert "Australian Business Number" in warning["message"]


def test_the_quickbooks_tax_id_replaces_the_one_of_its_scheme_and_keeps_the_others(
        api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, BillAddr={"Country": "GB"}, **commercial_fields(tax_id="GB 980 7806 84", terms=None))
    run()
    local = customer(api, "7")
    belgian = {"scheme": "eu_vat", "value": "BE0403019261"}
    reply = api.patch(f"/customers/{local['id']}", {"taxIds": [{"scheme": "gb_vat", "value": "100000034"}, belgian]},
                      headers={"If-Match": f'"{local["version"]}"'})
    assert reply.status == 200, reply.body
    connected.put("7", ResaleNum="R-2")  # changed in QuickBooks: the next CDC run brings the customer again
    run()
    assert customer(api, "7")["taxIds"] == [{"scheme": "gb_vat", "value": "980780684"}, belgian]


def test_what_quickbooks_leaves_empty_keeps_the_value_a_user_saved(api: Verbs, connected: FakeQbo) -> None:
    _sync_one(connected, **commercial_fields(website=None, resale=None, terms=None))
    run()
    local = customer(api, "7")
    reply = api.patch(f"/customers/{local['id']}", {"website": "https://commerce.example", "resaleNumber": "RS-9"},
                      headers={"If-Match": f'"{local["version"]}"'})
    assert reply.status == 200, reply.body
    connected.put("7", Notes="Changed in QuickBooks")
    run()
    synced = customer(api, "7")
    assert (synced["notes"], synced["website"], synced["resaleNumber"]) == (
        "Changed in QuickBooks", "https://commerce.example", "RS-9")


def test_a_second_run_over_commercial_fields_changes_nothing(api: Verbs, connected: FakeQbo) -> None:
    _payment_terms(api)
    _sync_one(connected, BillAddr={"Country": "GB"}, **commercial_fields(tax_id="GB 980 7806 84"))
    run()
    version = customer(api, "7")["version"]
    assert run(full=True)["counts"]["updated"] == 0
    assert customer(api, "7")["version"] == version


@pytest.mark.parametrize("currency", ["EUR", "GBP"])
def test_a_customer_with_orders_keeps_its_currency_and_the_run_records_the_refusal(
        api: Verbs, connected: FakeQbo, currency: str) -> None:
    _sync_one(connected, **commercial_fields(currency="USD", terms=None))
    run()
    local = customer(api, "7")
    assert api.post("/sales-orders", {"customerId": local["id"], "lines": []}).status == 201
    connected.put("7", CurrencyRef={"value": currency})
    run()
    assert customer(api, "7")["currency"] == "USD"
    errors = {error["remoteId"]: error["message"] for error in api.get("/integrations/quickbooks/sync").body["errors"]}
    assert errors["7"].startswith("in_use")
