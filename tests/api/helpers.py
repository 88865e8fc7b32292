"""Test helpers for building customers through the API."""

from __future__ import annotations

from typing import Any

from clientele.services import orgs

# Set while a test runs over real HTTP (tests/conftest.py): the org lives in the stack's process.
over_http: Any = None


def default_type_id(org: str = "acme", name: str = "Commercial") -> str:
    if over_http is not None:
        reply = over_http.get("/customer-types", org=org)
        assert reply.status == 200, reply.body
        return next(entry["id"] for entry in reply.body["items"] if entry["name"] == name)
    catalog = orgs.ensure_provisioned(org)
    return next(entry["id"] for entry in catalog.ordered("type") if entry["name"] == name)


def customer_body(org: str = "acme", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"companyName": "Acme Hotels", "customerTypeId": default_type_id(org)}
    body.update(fields)
    return {key: value for key, value in body.items() if value is not ...}
