"""SPEC §13's commercial fields in the committed OpenAPI document: in the customer's create, replace and
patch bodies and its responses, bounded and shaped as the server checks them; the fifth taxonomy; and
the sales order's override and copies."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from local import openapi

from .test_openapi import _body, _nullable, _schema

COMMERCIAL = ("currency", "paymentTermsId", "taxIds", "taxExempt", "resaleNumber", "website", "creditLimit")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(openapi.DOCUMENT.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize(("method", "path"), [("post", "/customers"), ("put", "/customers/{customerId}"),
                                              ("patch", "/customers/{customerId}")])
def test_every_commercial_field_is_in_each_customer_body_and_open_order_value_in_none(
        document: dict[str, Any], method: str, path: str) -> None:
    properties = _body(document, method, path)["properties"]
    assert set(COMMERCIAL) <= properties.keys() and "openOrderValue" not in properties


def test_null_clears_each_commercial_field_of_a_patch(document: dict[str, Any]) -> None:
    properties = _body(document, "patch", "/customers/{customerId}")["properties"]
    assert all(_nullable(properties[field]) for field in COMMERCIAL)


def test_currency_website_and_tax_ids_are_shaped_and_bounded_as_the_server_checks(document: dict[str, Any]) -> None:
    properties = _body(document, "post", "/customers")["properties"]
    currency = next(branch for branch in properties["currency"]["anyOf"] if branch.get("type") == "string")
    assert re.search(currency["pattern"], "eur") and not re.search(currency["pattern"], "EURO")
    website = next(branch for branch in properties["website"]["anyOf"] if branch.get("type") == "string")
    assert website["maxLength"] == 2000 and not re.search(website["pattern"], "ftp://x.example")
    tax_ids = next(branch for branch in properties["taxIds"]["anyOf"] if branch.get("type") == "array")
    entry = _schema(document, tax_ids["items"])
    assert tax_ids["maxItems"] == 10 and entry["required"] == ["scheme", "value"]
    assert entry["properties"]["scheme"]["enum"] == ["eu_vat", "gb_vat", "us_ein", "ca_bn", "au_abn", "in_gst", "other"]


def test_the_credit_limit_is_unsigned_money(document: dict[str, Any]) -> None:
    branches = _body(document, "post", "/customers")["properties"]["creditLimit"]["anyOf"]
    text = next(branch for branch in branches if branch.get("type") == "string")
    assert re.search(text["pattern"], "2500.50") and not re.search(text["pattern"], "-1")
    assert not re.search(text["pattern"], "1.005")


def test_customer_responses_carry_the_commercial_fields_and_the_open_order_value(document: dict[str, Any]) -> None:
    customer = document["components"]["schemas"]["Customer"]
    assert {*COMMERCIAL, "openOrderValue"} <= customer["properties"].keys()


def test_payment_terms_create_requires_net_days(document: dict[str, Any]) -> None:
    create = _body(document, "post", "/payment-terms")
    assert set(create["required"]) == {"name", "netDays"} and create["properties"]["netDays"]["minimum"] == 0
    assert not _nullable(_body(document, "patch", "/payment-terms/{paymentTermsId}")["properties"]["netDays"])


def test_a_sales_order_takes_an_override_and_shows_its_copies(document: dict[str, Any]) -> None:
    for method, path in (("post", "/sales-orders"), ("patch", "/sales-orders/{orderId}")):
        override = _body(document, method, path)["properties"]["overrideCreditLimit"]
        assert "boolean" in [branch.get("type") for branch in override.get("anyOf", [override])], (method, override)
    order = document["components"]["schemas"]["SalesOrder"]["properties"]
    assert {"currency", "paymentTerms", "creditLimitOverride"} <= order.keys()


def test_the_problem_document_carries_the_credit_figures(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]["properties"]
    assert {"creditLimit", "openOrderValue", "orderTotal"} <= problem.keys()
