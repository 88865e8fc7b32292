"""The stream processor running for real in the local stack: derived data over HTTP within 2 s."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Stack

pytestmark = pytest.mark.e2e

VISIBLE_WITHIN = 2.0


def eventually(read: Callable[[], Any], expected: Any) -> float:
    """Seconds until ``read()`` returns ``expected`` (fails after VISIBLE_WITHIN)."""
    started = time.monotonic()
    while True:
        value = read()
        if value == expected:
            return time.monotonic() - started
        assert time.monotonic() - started < VISIBLE_WITHIN, f"still {value!r}, expected {expected!r}"
        time.sleep(0.05)


def test_children_match_report_and_rollups_appear_within_two_seconds(stack: Stack) -> None:
    org = f"e2e-{uuid.uuid4().hex[:10]}"
    parent = stack.create_customer(org, companyName="Parent").json()
    child = stack.create_customer(org, companyName="Child", parentCustomerId=parent["id"],
                                  emails="child@e2e.test").json()
    project = stack.post(f"/customers/{child['id']}/projects", org=org, json={"name": "Fit-out"}).json()
    order = stack.post("/sales-orders", org=org, json={"customerId": child["id"], "customerProjectId": project["id"],
                                                       "lines": [{"description": "x", "quantity": 2,
                                                                  "unitPrice": "12.50"}]})
    assert order.status_code == 201, order.text

    def children() -> list[str]:
        return [item["id"] for item in stack.get(f"/customers/{parent['id']}/children", org=org).json()["items"]]

    def matched() -> list[str]:
        reply = stack.get("/customers/match", org=org, params={"email": "CHILD@e2e.test"})
        return [item["customer"]["id"] for item in reply.json()["items"]]

    def commercial() -> int:
        groups = stack.get("/reports/customers", org=org, params={"groupBy": "customerType"}).json()["groups"]
        return next(group["count"] for group in groups if group["name"] == "Commercial")

    def rollup() -> tuple[int, str]:
        read = stack.get(f"/customers/{child['id']}/projects/{project['id']}", org=org).json()
        return read["orderCount"], read["orderValue"]

    eventually(children, [child["id"]])
    eventually(matched, [child["id"]])
    eventually(commercial, 2)
    eventually(rollup, (1, "25.00"))
    stack.server.wait_for(r"STREAM\s+StreamProcessorFunction")
