"""Sales orders (SPEC §4.7) through the real handlers: numbers, snapshot, exact money, broker
defaults, status moves, draft-only lines, deleted customers and project references. If-Match, tenancy,
ids and a deleted customer, as for every child resource: test_child_resources.py."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from clientele.store import customers as customer_store
from local.invoke import Verbs
from tests.api.parts import assert_problem

from .helpers import customer_body

pytestmark = pytest.mark.over_http

LINE = {"description": "Widget", "quantity": 2, "unitPrice": "10.00"}


def if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def customer(api: Verbs, org: str = "acme", **fields: Any) -> dict[str, Any]:
    reply = api.post("/customers", customer_body(org, **fields), org=org)
    assert reply.status == 201, reply.body
    return reply.body


def order(api: Verbs, customer_id: str, org: str = "acme", **fields: Any) -> dict[str, Any]:
    reply = api.post("/sales-orders", {"customerId": customer_id, "lines": [LINE], **fields}, org=org)
    assert reply.status == 201, reply.body
    return reply.body


def broker(api: Verbs, name: str = "Brokerage", fee: object = None) -> dict[str, Any]:
    body = {"name": name} if fee is None else {"name": name, "defaultFeePercent": fee}
    reply = api.post("/brokers", body)
    assert reply.status == 201, reply.body
    return reply.body


def project(api: Verbs, customer_id: str, name: str = "Fit-out") -> dict[str, Any]:
    reply = api.post(f"/customers/{customer_id}/projects", {"name": name})
    assert reply.status == 201, reply.body
    return reply.body


# --- creating ------------------------------------------------------------------------------------------


def test_create_returns_201_with_location_and_etag(api: Verbs) -> None:
    reply = api.post("/sales-orders", {"customerId": customer(api)["id"], "lines": [LINE]})
    assert reply.status == 201
    assert reply.headers["Location"] == f"/sales-orders/{reply.body['id']}"
    assert reply.etag == '"1"'
    assert reply.body["status"] == "draft" and reply.body["version"] == 1


def test_numbers_follow_a_per_org_sequence(api: Verbs) -> None:
    acme, globex = customer(api)["id"], customer(api, org="globex")["id"]
    numbers = [order(api, acme)["number"], order(api, acme)["number"], order(api, globex, org="globex")["number"]]
    assert numbers == ["SO-000001", "SO-000002", "SO-000001"]


def test_a_refused_order_leaves_a_gap_at_most(api: Verbs) -> None:
    owner = customer(api)["id"]
    first = order(api, owner)["number"]
    refused = api.post("/sales-orders", {"customerId": owner, "customerProjectId": str(uuid.uuid4())})
    assert_problem(refused, 422, "validation_error")
    assert order(api, owner)["number"] > first


def test_line_amounts_round_half_up_to_the_cent(api: Verbs) -> None:
    body = order(api, customer(api)["id"], lines=[{"description": "a", "quantity": "0.5", "unitPrice": "0.05"},
                                                  {"description": "b", "quantity": "1.5", "unitPrice": "10.03"}])
    assert [line["amount"] for line in body["lines"]] == ["0.03", "15.05"]
    assert body["subtotal"] == "15.08"


def test_discount_is_subtotal_times_rate_rounded_half_up(api: Verbs) -> None:
    owner = customer(api, discountRate=12.5)["id"]
    body = order(api, owner, lines=[{"description": "a", "quantity": 1, "unitPrice": "0.20"}])
    assert (body["subtotal"], body["discountRate"], body["discountAmount"], body["total"]) == ("0.20", 12.5, "0.03",
                                                                                                "0.17")


def test_money_is_exact_over_many_lines(api: Verbs) -> None:
    lines = [{"description": f"line {n}", "quantity": 3, "unitPrice": "0.10"} for n in range(10)]
    body = order(api, customer(api, discountRate=10)["id"], lines=lines)
    assert (body["subtotal"], body["discountAmount"], body["total"]) == ("3.00", "0.30", "2.70")


def test_an_order_without_lines_totals_zero(api: Verbs) -> None:
    body = order(api, customer(api)["id"], lines=[])
    assert (body["subtotal"], body["discountAmount"], body["total"]) == ("0.00", "0.00", "0.00")


def test_discount_rate_is_copied_when_the_order_is_created(api: Verbs) -> None:
    owner = customer(api, discountRate=10)
    created = order(api, owner["id"])
    api.patch(f"/customers/{owner['id']}", {"discountRate": 50}, headers=if_match(1))
    assert api.get(f"/sales-orders/{created['id']}").body["discountRate"] == 10
    assert order(api, owner["id"])["discountRate"] == 50


def test_customer_without_discount_gives_no_discount(api: Verbs) -> None:
    body = order(api, customer(api)["id"])
    assert body["discountRate"] is None and body["discountAmount"] == "0.00" and body["total"] == "20.00"


def test_customer_snapshot_is_kept_when_the_customer_changes(api: Verbs) -> None:
    owner = customer(api, companyName="Acme Hotels", emails="a@acme.test, b@acme.test", phones="+1 212 555 0101",
                     billingAddress={"line1": "1 Main St", "country": "us"})
    created = order(api, owner["id"])
    api.patch(f"/customers/{owner['id']}", {"companyName": "Renamed", "emails": "c@acme.test"}, headers=if_match(1))
    snapshot = api.get(f"/sales-orders/{created['id']}").body["customerSnapshot"]
    assert snapshot["displayName"] == "Acme Hotels"
    assert snapshot["emails"] == ["a@acme.test", "b@acme.test"]
    assert snapshot["phones"] == ["+1-212-555-0101"]
    assert snapshot["billingAddress"]["line1"] == "1 Main St" and snapshot["billingAddress"]["country"] == "US"
    assert snapshot["shippingAddress"] is None


def test_money_with_more_than_two_decimals_is_422(api: Verbs) -> None:
    reply = api.post("/sales-orders", {"customerId": customer(api)["id"],
                                       "lines": [{"description": "a", "quantity": 1, "unitPrice": "1.005"}]})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "lines.0.unitPrice"


def test_quantity_must_be_positive(api: Verbs) -> None:
    reply = api.post("/sales-orders", {"customerId": customer(api)["id"],
                                       "lines": [{"description": "a", "quantity": 0, "unitPrice": "1.00"}]})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "lines.0.quantity"


def test_money_accepts_numbers_and_numeric_strings(api: Verbs) -> None:
    body = order(api, customer(api)["id"], lines=[{"description": "a", "quantity": "2", "unitPrice": 3.5}])
    assert body["lines"][0] == {"description": "a", "quantity": 2, "unitPrice": "3.50", "amount": "7.00"}


def test_unknown_customer_is_422(api: Verbs) -> None:
    reply = api.post("/sales-orders", {"customerId": str(uuid.uuid4()), "lines": [LINE]})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "customerId"


def test_customer_of_another_org_is_422(api: Verbs) -> None:
    theirs = customer(api, org="globex")["id"]
    assert_problem(api.post("/sales-orders", {"customerId": theirs, "lines": [LINE]}), 422, "validation_error")


@pytest.mark.in_process
def test_customer_counts_its_orders_so_it_can_never_be_hard_deleted(api: Verbs) -> None:
    owner = customer(api)["id"]
    order(api, owner)
    order(api, owner)
    stored = customer_store.get_customer("acme", owner)
    assert stored is not None and stored["orderCount"] == 2


def test_idempotency_key_returns_the_first_order(api: Verbs) -> None:
    owner = customer(api)["id"]
    body = {"customerId": owner, "lines": [LINE]}
    first = api.post("/sales-orders", body, headers={"Idempotency-Key": "k-1"})
    again = api.post("/sales-orders", body, headers={"Idempotency-Key": "k-1"})
    assert again.status == 201 and again.body["id"] == first.body["id"] and again.body["number"] == "SO-000001"
    assert len(api.get(f"/customers/{owner}/sales-orders").body["items"]) == 1


# --- brokers -------------------------------------------------------------------------------------------


def test_broker_and_fee_come_from_the_customer(api: Verbs) -> None:
    entry = broker(api, fee=5)
    owner = customer(api, brokerId=entry["id"], brokerFeePercent=7.5)["id"]
    body = order(api, owner)
    assert (body["brokerId"], body["brokerFeePercent"]) == (entry["id"], 7.5)


def test_request_overrides_broker_and_fee(api: Verbs) -> None:
    default, other = broker(api, "Default", fee=5), broker(api, "Other", fee=3)
    owner = customer(api, brokerId=default["id"])["id"]
    body = order(api, owner, brokerId=other["id"], brokerFeePercent=2.25)
    assert (body["brokerId"], body["brokerFeePercent"]) == (other["id"], 2.25)


def test_broker_named_without_fee_takes_its_default_fee(api: Verbs) -> None:
    entry = broker(api, fee=4)
    body = order(api, customer(api)["id"], brokerId=entry["id"])
    assert body["brokerFeePercent"] == 4


def test_fee_alone_overrides_the_customers_fee(api: Verbs) -> None:
    entry = broker(api, fee=5)
    owner = customer(api, brokerId=entry["id"])["id"]
    body = order(api, owner, brokerFeePercent=1)
    assert (body["brokerId"], body["brokerFeePercent"]) == (entry["id"], 1)


def test_null_broker_orders_without_one(api: Verbs) -> None:
    entry = broker(api, fee=5)
    body = order(api, customer(api, brokerId=entry["id"])["id"], brokerId=None)
    assert body["brokerId"] is None and body["brokerFeePercent"] is None


def test_fee_without_any_broker_is_422(api: Verbs) -> None:
    reply = api.post("/sales-orders", {"customerId": customer(api)["id"], "brokerFeePercent": 3})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "brokerFeePercent"


def test_unknown_broker_is_422(api: Verbs) -> None:
    reply = api.post("/sales-orders", {"customerId": customer(api)["id"], "brokerId": str(uuid.uuid4())})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "brokerId"


# --- status and lines ----------------------------------------------------------------------------------


def test_status_moves_draft_confirmed_cancelled(api: Verbs) -> None:
    created = order(api, customer(api)["id"])
    confirmed = api.patch(f"/sales-orders/{created['id']}", {"status": "confirmed"}, headers=if_match(1))
    assert confirmed.status == 200 and confirmed.etag == '"2"' and confirmed.body["confirmedAt"]
    cancelled = api.patch(f"/sales-orders/{created['id']}", {"status": "cancelled"}, headers=if_match(2))
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled" and cancelled.body["cancelledAt"]


def test_draft_can_be_cancelled(api: Verbs) -> None:
    created = order(api, customer(api)["id"])
    assert api.patch(f"/sales-orders/{created['id']}", {"status": "cancelled"}, headers=if_match(1)).status == 200


def test_order_can_be_created_confirmed(api: Verbs) -> None:
    assert order(api, customer(api)["id"], status="confirmed")["status"] == "confirmed"


def test_order_cannot_be_created_cancelled(api: Verbs) -> None:
    reply = api.post("/sales-orders", {"customerId": customer(api)["id"], "status": "cancelled"})
    assert_problem(reply, 422, "validation_error")


def test_confirmed_order_cannot_go_back_to_draft(api: Verbs) -> None:
    created = order(api, customer(api)["id"], status="confirmed")
    reply = api.patch(f"/sales-orders/{created['id']}", {"status": "draft"}, headers=if_match(1))
    assert reply.status == 409 and reply.body["code"] == "invalid_transition"


def test_cancelled_order_stays_cancelled(api: Verbs) -> None:
    created = order(api, customer(api)["id"])
    api.patch(f"/sales-orders/{created['id']}", {"status": "cancelled"}, headers=if_match(1))
    reply = api.patch(f"/sales-orders/{created['id']}", {"status": "confirmed"}, headers=if_match(2))
    assert reply.status == 409 and reply.body["code"] == "invalid_transition"


def test_lines_change_in_draft_and_totals_follow(api: Verbs) -> None:
    created = order(api, customer(api, discountRate=10)["id"])
    reply = api.patch(f"/sales-orders/{created['id']}",
                      {"lines": [{"description": "More", "quantity": 3, "unitPrice": "5.00"}]}, headers=if_match(1))
    assert reply.status == 200
    assert (reply.body["subtotal"], reply.body["discountAmount"], reply.body["total"]) == ("15.00", "1.50", "13.50")


def test_lines_do_not_change_once_confirmed(api: Verbs) -> None:
    created = order(api, customer(api)["id"], status="confirmed")
    reply = api.patch(f"/sales-orders/{created['id']}", {"lines": []}, headers=if_match(1))
    assert reply.status == 409 and reply.body["code"] == "order_not_draft"


def test_echoing_the_confirmed_order_back_is_accepted(api: Verbs) -> None:
    created = order(api, customer(api)["id"], status="confirmed")
    reply = api.patch(f"/sales-orders/{created['id']}", created, headers=if_match(1))
    assert reply.status == 200 and reply.body["lines"] == created["lines"]


def test_broker_does_not_change_once_confirmed(api: Verbs) -> None:
    entry = broker(api, fee=5)
    created = order(api, customer(api)["id"], status="confirmed")
    reply = api.patch(f"/sales-orders/{created['id']}", {"brokerId": entry["id"]}, headers=if_match(1))
    assert reply.status == 409 and reply.body["code"] == "order_not_draft"


def test_order_never_moves_to_another_customer(api: Verbs) -> None:
    created = order(api, customer(api)["id"])
    reply = api.patch(f"/sales-orders/{created['id']}", {"customerId": customer(api)["id"]}, headers=if_match(1))
    assert_problem(reply, 422, "validation_error")


# --- projects ------------------------------------------------------------------------------------------


def test_project_must_be_one_of_the_customers(api: Verbs) -> None:
    owner, other = customer(api)["id"], customer(api)["id"]
    foreign = project(api, other)
    reply = api.post("/sales-orders", {"customerId": owner, "customerProjectId": foreign["id"]})
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "customerProjectId"


def test_project_with_orders_cannot_be_deleted(api: Verbs) -> None:
    owner = customer(api)["id"]
    target = project(api, owner)
    order(api, owner, customerProjectId=target["id"])
    reply = api.delete(f"/customers/{owner}/projects/{target['id']}", headers=if_match(1))
    assert reply.status == 409 and reply.body["code"] == "in_use"


def test_moving_an_order_releases_its_old_project(api: Verbs) -> None:
    owner = customer(api)["id"]
    first, second = project(api, owner, "First"), project(api, owner, "Second")
    created = order(api, owner, customerProjectId=first["id"])
    moved = api.patch(f"/sales-orders/{created['id']}", {"customerProjectId": second["id"]}, headers=if_match(1))
    assert moved.status == 200 and moved.body["customerProjectId"] == second["id"]
    assert api.delete(f"/customers/{owner}/projects/{first['id']}", headers=if_match(1)).status == 204
    assert_problem(api.delete(f"/customers/{owner}/projects/{second['id']}", headers=if_match(1)), 409, "in_use")


def test_moving_an_order_to_another_customers_project_is_422(api: Verbs) -> None:
    owner = customer(api)["id"]
    created = order(api, owner)
    foreign = project(api, customer(api)["id"])
    reply = api.patch(f"/sales-orders/{created['id']}", {"customerProjectId": foreign["id"]}, headers=if_match(1))
    assert_problem(reply, 422, "validation_error")


# --- a customer's orders -------------------------------------------------------------------------------


def test_customer_orders_are_listed_newest_first_in_pages(api: Verbs) -> None:
    owner = customer(api)["id"]
    created = [order(api, owner)["number"] for _ in range(3)]
    first = api.get(f"/customers/{owner}/sales-orders", query="limit=2")
    assert [item["number"] for item in first.body["items"]] == created[:0:-1]
    rest = api.get(f"/customers/{owner}/sales-orders", query=f"limit=2&cursor={first.body['nextCursor']}")
    assert [item["number"] for item in rest.body["items"]] == created[:1]


def test_customer_orders_filter_by_status(api: Verbs) -> None:
    owner = customer(api)["id"]
    order(api, owner)
    confirmed = order(api, owner, status="confirmed")
    listed = api.get(f"/customers/{owner}/sales-orders", query="status=confirmed").body["items"]
    assert [item["id"] for item in listed] == [confirmed["id"]]


def test_invalid_fields_are_422_before_a_deleted_customers_409(api: Verbs) -> None:
    owner = customer(api)
    api.delete(f"/customers/{owner['id']}", headers=if_match(1))
    unknown_broker = api.post("/sales-orders", {"customerId": owner["id"], "brokerId": str(uuid.uuid4())})
    foreign_project = api.post("/sales-orders", {"customerId": owner["id"], "customerProjectId": str(uuid.uuid4())})
    assert_problem(unknown_broker, 422, "validation_error")
    assert_problem(foreign_project, 422, "validation_error")
