"""Issue 16's commercial fields over real HTTP against the local stack (``python -m local.server``, as
``make dev``): tax ids checked by python-stdnum, the credit limit and an admin's override, the currency
fixed by orders, and payment terms that the stream clears from customers when they are deleted."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from local.polling import eventually
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

LINE = {"description": "Consulting day", "quantity": 1, "unitPrice": "800.00"}


def _org() -> str:
    return f"commercial-{uuid.uuid4().hex[:8]}"


def _customer(stack: Stack, org: str, **fields: Any) -> dict[str, Any]:
    reply = stack.create_customer(org, **fields)
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _order(stack: Stack, org: str, customer: dict[str, Any]) -> dict[str, Any]:
    reply = stack.post("/sales-orders", org=org, role="editor", json={"customerId": customer["id"], "lines": [LINE]})
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _confirm(stack: Stack, org: str, order: dict[str, Any], role: str, **extra: Any) -> Any:
    return stack.patch(f"/sales-orders/{order['id']}", org=org, role=role, json={"status": "confirmed", **extra},
                       headers={"If-Match": f'"{order["version"]}"'})


def test_a_valid_eu_vat_number_is_accepted_and_one_with_a_wrong_check_digit_is_422(stack: Stack) -> None:
    org = _org()
    accepted = _customer(stack, org, taxIds=[{"scheme": "eu_vat", "value": "BE 0403.019.261"}])
    assert accepted["taxIds"] == [{"scheme": "eu_vat", "value": "BE0403019261"}]
    refused = stack.create_customer(org, taxIds=[{"scheme": "eu_vat", "value": "BE 0403.019.262"}])
    assert (refused.status_code, refused.json()["code"]) == (422, "validation_error")
    assert [error["field"] for error in refused.json()["errors"]] == ["taxIds[0].value"]


def test_confirming_over_the_credit_limit_is_409_and_an_admins_override_succeeds(stack: Stack) -> None:
    org = _org()
    customer = _customer(stack, org, creditLimit="500.00")
    order = _order(stack, org, customer)
    refused = _confirm(stack, org, order, role="editor")
    assert (refused.status_code, refused.json()["code"]) == (409, "credit_limit_exceeded")
    assert (refused.json()["creditLimit"], refused.json()["openOrderValue"]) == ("500.00", "0.00")
    overridden = _confirm(stack, org, order, role="admin", overrideCreditLimit=True)
    assert overridden.status_code == 200, overridden.text
    assert overridden.json()["status"] == "confirmed" and overridden.json()["creditLimitOverride"]["by"]
    assert stack.get(f"/customers/{customer['id']}", org=org).json()["openOrderValue"] == "800.00"


def test_changing_the_currency_of_a_customer_with_orders_is_409_in_use(stack: Stack) -> None:
    org = _org()
    customer = _customer(stack, org, currency="EUR")
    assert _order(stack, org, customer)["currency"] == "EUR"
    reply = stack.patch(f"/customers/{customer['id']}", org=org, role="editor", json={"currency": "USD"},
                        headers={"If-Match": f'"{customer["version"]}"'})
    assert (reply.status_code, reply.json()["code"]) == (409, "in_use")


def test_deleting_payment_terms_clears_them_from_customers_through_the_stream(stack: Stack) -> None:
    org = _org()
    terms = stack.post("/payment-terms", org=org, json={"name": "Net 30", "netDays": 30}).json()
    customer = _customer(stack, org, paymentTermsId=terms["id"])
    eventually(lambda: _report(stack, org).get(terms["id"]), 1)
    deleted = stack.request("DELETE", f"/payment-terms/{terms['id']}", org=org, headers={"If-Match": '"1"'})
    assert deleted.status_code == 204, deleted.text

    def stored_version() -> int:
        return int(stack.get(f"/customers/{customer['id']}", org=org).json()["version"])

    eventually(stored_version, 2)  # the SET NULL job cleared the reference: a new version, paymentTermsId null
    assert stack.get(f"/customers/{customer['id']}", org=org).json()["paymentTermsId"] is None


def _report(stack: Stack, org: str) -> dict[str | None, int]:
    reply = stack.get("/reports/customers", org=org, params={"groupBy": "paymentTerms"})
    assert reply.status_code == 200, reply.text
    return {group["key"]: group["count"] for group in reply.json()["groups"]}
