"""The stream processor running for real in the local stack: derived data shows over HTTP.

How soon is a figure for the bench (``local.polling.seconds_until``; SPEC: within 2 s); here each
wait has the generous bound of ``local.polling.eventually``, so a busy machine cannot fail it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from local.polling import eventually

from .conftest import Stack

pytestmark = pytest.mark.e2e

def children(stack: Stack, org: str, parent: dict[str, Any]) -> list[str]:
    return [item["id"] for item in stack.get(f"/customers/{parent['id']}/children", org=org).json()["items"]]


def matched(stack: Stack, org: str, **query: str) -> list[str]:
    reply = stack.get("/customers/match", org=org, params=query)
    return [item["customer"]["id"] for item in reply.json()["items"]]


def commercial(stack: Stack, org: str) -> int:
    groups = stack.get("/reports/customers", org=org, params={"groupBy": "customerType"}).json()["groups"]
    return next(group["count"] for group in groups if group["name"] == "Commercial")


def rollup(stack: Stack, org: str, customer: dict[str, Any], project: dict[str, Any]) -> tuple[int, str]:
    read = stack.get(f"/customers/{customer['id']}/projects/{project['id']}", org=org).json()
    return read["orderCount"], read["orderValue"]


def test_children_match_report_and_rollups_appear(stack: Stack) -> None:
    org = f"e2e-{uuid.uuid4().hex[:10]}"
    parent = stack.create_customer(org, companyName="Parent").json()
    child = stack.create_customer(org, companyName="Child", parentCustomerId=parent["id"],
                                  emails="child@e2e.test").json()
    project = stack.post(f"/customers/{child['id']}/projects", org=org, json={"name": "Fit-out"}).json()
    order = stack.post("/sales-orders", org=org, json={"customerId": child["id"], "customerProjectId": project["id"],
                                                       "lines": [{"description": "x", "quantity": 2,
                                                                  "unitPrice": "12.50"}]})
    assert order.status_code == 201, order.text

    eventually(lambda: children(stack, org, parent), [child["id"]])
    eventually(lambda: matched(stack, org, email="CHILD@e2e.test"), [child["id"]])
    eventually(lambda: commercial(stack, org), 2)
    eventually(lambda: rollup(stack, org, child, project), (1, "25.00"))
    stack.server.wait_for(r"STREAM\s+StreamProcessorFunction")


def test_children_match_report_and_rollups_follow_edits_reparents_cancels_and_deletes(stack: Stack) -> None:
    org = f"e2e-{uuid.uuid4().hex[:10]}"
    first = stack.create_customer(org, companyName="First Parent").json()
    second = stack.create_customer(org, companyName="Second Parent").json()
    child = stack.create_customer(org, companyName="Child", parentCustomerId=first["id"], emails="old@e2e.test",
                                  phones="+1 212 555 0142").json()
    project = stack.post(f"/customers/{child['id']}/projects", org=org, json={"name": "Fit-out"}).json()
    lines = [{"description": "x", "quantity": 2, "unitPrice": "12.50"}]
    kept = stack.post("/sales-orders", org=org, json={"customerId": child["id"], "customerProjectId": project["id"],
                                                      "lines": lines}).json()
    cancelled = stack.post("/sales-orders", org=org, json={"customerId": child["id"],
                                                           "customerProjectId": project["id"], "lines": lines}).json()
    version = child["version"]

    def change(method: str, path: str = "", **kwargs: Any) -> None:
        nonlocal version
        reply = stack.request(method, f"/customers/{child['id']}{path}", org=org, headers={"If-Match": f'"{version}"'},
                              **kwargs)
        assert reply.status_code in (200, 204), reply.text
        version += 1

    eventually(lambda: rollup(stack, org, child, project), (2, "50.00"))
    eventually(lambda: commercial(stack, org), 3)

    change("PATCH", json={"emails": "new@e2e.test", "phones": "+1 212 555 0199"})  # an edit
    eventually(lambda: matched(stack, org, email="old@e2e.test"), [])
    eventually(lambda: matched(stack, org, email="NEW@e2e.test"), [child["id"]])
    eventually(lambda: matched(stack, org, phone="+1 212 555 0142"), [])
    eventually(lambda: matched(stack, org, phone="+12125550199"), [child["id"]])

    change("PATCH", json={"parentCustomerId": second["id"]})  # a re-parent
    eventually(lambda: children(stack, org, first), [])
    eventually(lambda: children(stack, org, second), [child["id"]])

    reply = stack.patch(f"/sales-orders/{cancelled['id']}", org=org, json={"status": "cancelled"},
                        headers={"If-Match": '"1"'})
    assert reply.status_code == 200, reply.text
    eventually(lambda: rollup(stack, org, child, project), (1, "25.00"))  # a cancel
    assert kept["status"] == "draft"

    change("DELETE")  # a delete
    eventually(lambda: children(stack, org, second), [])
    eventually(lambda: matched(stack, org, email="new@e2e.test"), [])
    eventually(lambda: commercial(stack, org), 2)

    change("POST", "/restore")  # and back
    eventually(lambda: children(stack, org, second), [child["id"]])
    eventually(lambda: matched(stack, org, email="new@e2e.test"), [child["id"]])
    eventually(lambda: commercial(stack, org), 3)
