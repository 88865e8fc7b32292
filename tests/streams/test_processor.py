"""The stream processor on records read from moto's REAL stream: writes go through the API, the
stream is read with the dynamodbstreams client and fed to the handler the template names."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from clientele import aws
from clientele.store import keys
from local.events import LambdaContext
from local.invoke import Verbs
from local.streams import StreamReader, matches
from tests.api.helpers import customer_body
from tests.api.parts import assert_problem, stored_item
from tests.bus import watch

from .conftest import deliver, drain, processor_handler


def if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def create(api: Verbs, **fields: Any) -> dict[str, Any]:
    reply = api.post("/customers", customer_body(**fields))
    assert reply.status == 201, reply.body
    return reply.body


def children_of(api: Verbs, parent_id: str) -> list[str]:
    reply = api.get(f"/customers/{parent_id}/children")
    assert reply.status == 200, reply.body
    return sorted(item["displayName"] for item in reply.body["items"])


def project_rollups(customer_id: str, project_id: str) -> tuple[Any, Any, Any]:
    item = stored_item(keys.customer_pk("acme", customer_id), keys.project_sk(project_id))
    return item["orderCount"], item["orderValue"], item["activityCount"]


def report(api: Verbs, group_by: str) -> dict[str, int]:
    reply = api.get("/reports/customers", query=f"groupBy={group_by}")
    assert reply.status == 200, reply.body
    return {group["key"]: group["count"] for group in reply.body["groups"]}


# --- children index ------------------------------------------------------------------------------------


def test_children_index_follows_create_reparent_delete_and_restore(api: Verbs, stream: StreamReader) -> None:
    first, second = create(api, companyName="First"), create(api, companyName="Second")
    child = create(api, companyName="Child", parentCustomerId=first["id"])
    drain(stream)
    assert children_of(api, first["id"]) == ["Child"]

    api.patch(f"/customers/{child['id']}", {"parentCustomerId": second["id"]}, headers=if_match(1))
    drain(stream)
    assert (children_of(api, first["id"]), children_of(api, second["id"])) == ([], ["Child"])

    api.delete(f"/customers/{child['id']}", headers=if_match(2))
    drain(stream)
    assert children_of(api, second["id"]) == []

    api.post(f"/customers/{child['id']}/restore", headers=if_match(3))
    drain(stream)
    assert children_of(api, second["id"]) == ["Child"]


def test_children_show_the_childs_current_fields(api: Verbs, stream: StreamReader) -> None:
    parent = create(api, companyName="Parent")
    child = create(api, companyName="Child", parentCustomerId=parent["id"])
    api.patch(f"/customers/{child['id']}", {"companyName": "Renamed", "accountState": "growth"}, headers=if_match(1))
    drain(stream)
    (listed,) = api.get(f"/customers/{parent['id']}/children").body["items"]
    assert (listed["displayName"], listed["accountState"], listed["version"]) == ("Renamed", "growth", 2)
    read = api.get(f"/customers/{child['id']}").body
    # openOrderValue moves with orders, not with the version the copy follows: the list leaves it out (null).
    shown = {"contacts", "openOrderValue"}
    assert {k: v for k, v in listed.items() if k not in shown} == {k: v for k, v in read.items() if k not in shown}
    assert listed["openOrderValue"] is None


def test_children_of_an_unknown_customer_are_404(api: Verbs, stream: StreamReader) -> None:
    assert_problem(api.get(f"/customers/{uuid.uuid4()}/children"), 404, "not_found")


def test_late_older_record_does_not_bring_back_a_removed_child_link(api: Verbs, stream: StreamReader) -> None:
    parent = create(api, companyName="Parent")
    child = create(api, companyName="Child", parentCustomerId=parent["id"])
    early = stream.read()
    api.delete(f"/customers/{child['id']}", headers=if_match(1))
    late = stream.read()
    assert deliver(late) == [] and deliver(early) == []
    assert children_of(api, parent["id"]) == []


# --- contact points and match --------------------------------------------------------------------------


def test_match_finds_a_customer_by_normalised_phone_and_by_email(api: Verbs, stream: StreamReader) -> None:
    current = api.get("/settings")
    api.put("/settings", {**current.body, "defaultAreaCode": "212"}, headers={"If-Match": current.etag})
    found = create(api, companyName="Found", phones="555 0101", emails="Sales@Acme.test")
    create(api, companyName="Other", phones="+44 20 7946 0958", emails="other@acme.test")
    drain(stream)
    reply = api.get("/customers/match", query="phone=(212)%20555-0101&email=SALES@acme.test")
    assert reply.status == 200
    assert [(item["customer"]["id"], item["matchedOn"]) for item in reply.body["items"]] == [
        (found["id"], ["phone", "email"])]
    read = api.get(f"/customers/{found['id']}").body
    matched = reply.body["items"][0]["customer"]
    assert {k: v for k, v in matched.items() if k != "contacts"} == {k: v for k, v in read.items() if k != "contacts"}


def test_match_returns_every_customer_sharing_an_email(api: Verbs, stream: StreamReader) -> None:
    create(api, companyName="One", emails="shared@acme.test")
    create(api, companyName="Two", emails="shared@acme.test")
    drain(stream)
    reply = api.get("/customers/match", query="email=shared@acme.test")
    assert [item["customer"]["displayName"] for item in reply.body["items"]] == ["One", "Two"]


def test_edited_and_deleted_customers_leave_the_match_index(api: Verbs, stream: StreamReader) -> None:
    edited = create(api, companyName="Edited", emails="old@acme.test")
    gone = create(api, companyName="Gone", emails="old@acme.test")
    api.patch(f"/customers/{edited['id']}", {"emails": "new@acme.test"}, headers=if_match(1))
    api.delete(f"/customers/{gone['id']}", headers=if_match(1))
    drain(stream)
    assert api.get("/customers/match", query="email=old@acme.test").body["items"] == []
    assert stored_item(keys.email_pk("acme", "old@acme.test"), keys.contact_point_sk(gone["id"]))["live"] is False
    assert [i["customer"]["id"] for i in api.get("/customers/match", query="email=new@acme.test").body["items"]] == [
        edited["id"]]


def test_match_without_phone_or_email_is_422(api: Verbs, stream: StreamReader) -> None:
    assert_problem(api.get("/customers/match"), 422, "validation_error")


def test_match_with_an_impossible_phone_is_422(api: Verbs, stream: StreamReader) -> None:
    reply = api.get("/customers/match", query="phone=12")
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "phone"


# --- report counters -----------------------------------------------------------------------------------


def test_report_counts_live_customers_per_state(api: Verbs, stream: StreamReader) -> None:
    create(api, accountState="growth")
    create(api, accountState="growth")
    gone = create(api, accountState="at_risk")
    api.delete(f"/customers/{gone['id']}", headers=if_match(1))
    drain(stream)
    assert report(api, "accountState") == {"active": 0, "growth": 2, "at_risk": 0, "former": 0}


def test_report_by_type_names_and_colours_every_type(api: Verbs, stream: StreamReader) -> None:
    create(api)
    drain(stream)
    groups = api.get("/reports/customers", query="groupBy=customerType").body["groups"]
    assert [(g["name"], g["color"], g["count"]) for g in groups] == [("Residential", "green", 0),
                                                                      ("Commercial", "blue", 1),
                                                                      ("Government", "yellow", 0)]


def test_report_counts_customers_without_a_segment_under_null(api: Verbs, stream: StreamReader) -> None:
    segment = api.post("/customer-segments", {"name": "Hotels"}).body
    create(api, customerSegmentId=segment["id"])
    create(api)
    drain(stream)
    assert report(api, "customerSegment") == {segment["id"]: 1, None: 1}


def test_report_needs_a_known_group(api: Verbs, stream: StreamReader) -> None:
    assert_problem(api.get("/reports/customers", query="groupBy=colour"), 422, "validation_error")


# --- project rollups -----------------------------------------------------------------------------------


def test_project_rollups_follow_orders_that_are_not_cancelled(api: Verbs, stream: StreamReader) -> None:
    owner = create(api)["id"]
    project = api.post(f"/customers/{owner}/projects", {"name": "Fit-out"}).body
    line = [{"description": "x", "quantity": 1, "unitPrice": "100.00"}]
    kept = api.post("/sales-orders", {"customerId": owner, "customerProjectId": project["id"], "lines": line}).body
    cancelled = api.post("/sales-orders", {"customerId": owner, "customerProjectId": project["id"],
                                           "lines": [{"description": "y", "quantity": 2, "unitPrice": "0.25"}]}).body
    api.patch(f"/sales-orders/{kept['id']}", {"status": "confirmed"}, headers=if_match(1))
    api.patch(f"/sales-orders/{cancelled['id']}", {"status": "cancelled"}, headers=if_match(1))
    drain(stream)
    assert project_rollups(owner, project["id"])[:2] == (1, Decimal("100.00"))
    read = api.get(f"/customers/{owner}/projects/{project['id']}").body
    assert (read["orderCount"], read["orderValue"]) == (1, "100.00")


def test_moving_an_order_moves_its_rollup(api: Verbs, stream: StreamReader) -> None:
    owner = create(api)["id"]
    first = api.post(f"/customers/{owner}/projects", {"name": "First"}).body
    second = api.post(f"/customers/{owner}/projects", {"name": "Second"}).body
    order = api.post("/sales-orders", {"customerId": owner, "customerProjectId": first["id"],
                                       "lines": [{"description": "x", "quantity": 3, "unitPrice": "1.10"}]}).body
    drain(stream)
    api.patch(f"/sales-orders/{order['id']}", {"customerProjectId": second["id"]}, headers=if_match(1))
    drain(stream)
    assert project_rollups(owner, first["id"])[:2] == (0, Decimal("0.00"))
    assert project_rollups(owner, second["id"])[:2] == (1, Decimal("3.30"))


def test_activity_count_follows_activities(api: Verbs, stream: StreamReader) -> None:
    owner = create(api)["id"]
    project = api.post(f"/customers/{owner}/projects", {"name": "Fit-out"}).body
    body = {"type": "note", "body": "Called", "customerProjectId": project["id"]}
    kept = api.post(f"/customers/{owner}/activities", body)
    removed = api.post(f"/customers/{owner}/activities", body).body
    assert kept.status == 201, kept.body
    api.delete(f"/customers/{owner}/activities/{removed['id']}", headers=if_match(1))
    drain(stream)
    assert project_rollups(owner, project["id"])[2] == 1


def test_replaying_a_batch_counts_nothing_twice(api: Verbs, stream: StreamReader) -> None:
    owner = create(api)["id"]
    project = api.post(f"/customers/{owner}/projects", {"name": "Fit-out"}).body
    api.post("/sales-orders", {"customerId": owner, "customerProjectId": project["id"],
                               "lines": [{"description": "x", "quantity": 1, "unitPrice": "9.99"}]})
    records = stream.read()
    assert deliver(records) == [] and deliver(records) == [] and deliver(records[::-1]) == []
    assert project_rollups(owner, project["id"])[:2] == (1, Decimal("9.99"))
    assert report(api, "customerType")[customer_body()["customerTypeId"]] == 1


# --- partial failures ----------------------------------------------------------------------------------


def test_poisoned_record_fails_alone(api: Verbs, stream: StreamReader) -> None:
    for name in ("One", "Two", "Three"):
        create(api, companyName=name)
    records = stream.read()
    poisoned = json.loads(json.dumps(records[1]))
    poisoned["dynamodb"]["NewImage"]["PK"] = {"S": "NOT-AN-ORG"}
    batch = [records[0], poisoned, records[2]]
    response = processor_handler()({"Records": batch}, LambdaContext(timeout_seconds=120))
    assert response == {"batchItemFailures": [{"itemIdentifier": poisoned["dynamodb"]["SequenceNumber"]}]}
    assert report(api, "customerType")[customer_body()["customerTypeId"]] == 2


def test_failed_derived_write_fails_only_the_records_it_came_from(api: Verbs, stream: StreamReader,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    parent = create(api, companyName="Parent")
    create(api, companyName="Child", parentCustomerId=parent["id"])
    create(api, companyName="Bystander", emails="b@acme.test")
    records = stream.read()
    client: Any = aws.dynamodb()  # botocore's private _make_api_call is not in the stubs
    real = client._make_api_call

    def failing(operation: str, params: dict[str, Any]) -> Any:
        if operation == "PutItem" and params["Item"].get("entity", {}).get("S") == "child_link":
            raise client.exceptions.ProvisionedThroughputExceededException(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutItem")
        return real(operation, params)

    monkeypatch.setattr(client, "_make_api_call", failing)
    response = processor_handler()({"Records": records}, LambdaContext(timeout_seconds=120))
    child_record = next(r for r in records if r["dynamodb"]["NewImage"].get("displayName", {}).get("S") == "Child")
    assert response == {"batchItemFailures": [{"itemIdentifier": child_record["dynamodb"]["SequenceNumber"]}]}
    monkeypatch.undo()
    assert deliver([child_record]) == []
    assert children_of(api, parent["id"]) == ["Child"]


def test_batch_where_every_record_fails_is_an_error(api: Verbs, stream: StreamReader) -> None:
    create(api)
    (record,) = stream.read()
    record["dynamodb"]["NewImage"]["PK"] = {"S": "NOT-AN-ORG"}
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with pytest.raises(BatchProcessingError):
        processor_handler()({"Records": [record]}, LambdaContext(timeout_seconds=120))


# --- filter criteria -----------------------------------------------------------------------------------


def test_filter_criteria_keep_only_what_the_processor_projects(api: Verbs, stream: StreamReader) -> None:
    parent = create(api, companyName="Parent")
    api.post("/customers", customer_body(companyName="Child", parentCustomerId=parent["id"], emails="c@acme.test"),
             headers={"Idempotency-Key": "k-1"})
    everything = stream.read_all()
    deliver([r for r in everything if any(matches(p, r) for p in stream.filters)])
    derived = stream.read_all()
    entities = {r["dynamodb"].get("NewImage", r["dynamodb"].get("OldImage", {})).get("entity", {}).get("S")
                for r in derived}
    assert entities >= {"child_link", "contact_point", "contribution", "report_counter"}
    assert [r for r in derived if any(matches(p, r) for p in stream.filters)] == []
    idempotency = [r for r in everything if r["dynamodb"]["Keys"]["PK"]["S"].endswith("#IDEMPOTENCY")]
    assert idempotency and not [r for r in idempotency if any(matches(p, r) for p in stream.filters)]


# --- domain events -------------------------------------------------------------------------------------


def test_domain_events_reach_the_bus_with_every_email(api: Verbs, stream: StreamReader) -> None:
    published_events = watch("clientele")

    owner = create(api, emails="a@acme.test, b@acme.test")
    api.post("/sales-orders", {"customerId": owner["id"]})
    api.patch(f"/customers/{owner['id']}", {"emails": "a@acme.test, b@acme.test, c@acme.test"}, headers=if_match(1))
    drain(stream)
    published = {event["detail-type"]: event["detail"] for event in published_events()}
    assert set(published) == {"CustomerCreated", "SalesOrderCreated", "CustomerUpdated"}
    assert published["CustomerCreated"]["emails"] == ["a@acme.test", "b@acme.test"]
    assert published["SalesOrderCreated"]["customerEmails"] == ["a@acme.test", "b@acme.test", "c@acme.test"]


# --- SET NULL ------------------------------------------------------------------------------------------


def test_deleting_a_segment_clears_it_on_its_customers_and_bumps_their_version(api: Verbs, stream: StreamReader) -> None:
    segment = api.post("/customer-segments", {"name": "Hotels"}).body
    tagged = create(api, customerSegmentId=segment["id"])
    api.delete(f"/customer-segments/{segment['id']}", headers=if_match(1))
    drain(stream)
    after = api.get(f"/customers/{tagged['id']}").body
    assert after["customerSegmentId"] is None and after["version"] == 2
    assert stored_item(keys.customer_pk("acme", tagged["id"]), keys.CUSTOMER_SK).get("customerSegmentId") is None
    assert report(api, "customerSegment") == {None: 1}


def test_deleting_a_broker_clears_the_broker_and_its_fee(api: Verbs, stream: StreamReader) -> None:
    broker = api.post("/brokers", {"name": "Broker", "defaultFeePercent": 5}).body
    tagged = create(api, brokerId=broker["id"])
    api.delete(f"/brokers/{broker['id']}", headers=if_match(1))
    drain(stream)
    item = stored_item(keys.customer_pk("acme", tagged["id"]), keys.CUSTOMER_SK)
    assert "brokerId" not in item and "brokerFeePercent" not in item and "GSI5PK" not in item


def test_set_null_out_of_time_fails_the_record_and_resumes_on_redelivery(api: Verbs, stream: StreamReader,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from clientele.streams import processor as processor_module

    category = api.post("/customer-categories", {"name": "Retail"}).body
    tagged = [create(api, customerCategoryId=category["id"]) for _ in range(3)]
    api.delete(f"/customer-categories/{category['id']}", headers=if_match(1))
    records = stream.read()
    removal = next(r for r in records if r["eventName"] == "REMOVE")
    monkeypatch.setattr(processor_module, "SAFETY_MARGIN_MS", 10**9)  # always out of time
    assert deliver(records) == [removal["dynamodb"]["SequenceNumber"]]
    monkeypatch.undo()
    assert deliver([removal]) == []
    drain(stream)
    assert all(api.get(f"/customers/{c['id']}").body["version"] == 2 for c in tagged)
    assert report(api, "customerCategory") == {None: 3}


def test_activity_of_a_deleted_project_is_counted_nowhere(api: Verbs, stream: StreamReader) -> None:
    owner = create(api)["id"]
    project = api.post(f"/customers/{owner}/projects", {"name": "Short-lived"}).body
    other = api.post(f"/customers/{owner}/projects", {"name": "Other"}).body
    note = api.post(f"/customers/{owner}/activities",
                    {"type": "note", "body": "x", "customerProjectId": project["id"]}).body
    drain(stream)
    assert api.delete(f"/customers/{owner}/projects/{project['id']}", headers=if_match(1)).status == 204
    moved = api.patch(f"/customers/{owner}/activities/{note['id']}", {"customerProjectId": other["id"]},
                      headers=if_match(1))
    assert moved.status == 200, moved.body
    drain(stream)
    assert project_rollups(owner, other["id"])[2] == 1
