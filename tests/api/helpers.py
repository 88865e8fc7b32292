"""Test helpers for building customers through the API."""

from __future__ import annotations

from typing import Any

from clientele.services import orgs


def default_type_id(org: str = "acme", name: str = "Commercial") -> str:
    catalog = orgs.ensure_provisioned(org)
    return next(entry["id"] for entry in catalog.ordered("type") if entry["name"] == name)


def customer_body(org: str = "acme", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"companyName": "Acme Hotels", "customerTypeId": default_type_id(org)}
    body.update(fields)
    return {key: value for key, value in body.items() if value is not ...}
