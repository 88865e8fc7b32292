"""The operations `make bench` measures: how to prepare each one and how to call it.

Each scenario runs against an org that is already provisioned and a warm container (catalog
cached), which is the state the round-trip targets in the issues refer to.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.invoke import Api, Reply

ORG = "bench-org"
_counter = itertools.count()


@dataclass(frozen=True)
class Scenario:
    name: str
    target: str  # the figure: the fewest calls the operation can make
    prepare: Callable[[Api, dict[str, Any]], dict[str, Any]]
    run: Callable[[Api, dict[str, Any]], Reply]
    expect: int


def _type_id(api: Api, state: dict[str, Any]) -> str:
    if "type_id" not in state:
        from clientele.services import orgs

        state["type_id"] = orgs.ensure_provisioned(ORG).ordered("type")[1]["id"]
    return str(state["type_id"])


def _customer(api: Api, state: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"companyName": f"Bench Customer {next(_counter)}", "customerTypeId": _type_id(api, state),
            "emails": "ops@example.com", "phones": "+1 212 555 0101", **fields}
    reply = api.post("/customers", body, org=ORG)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def _fresh(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    return {"customer": _customer(api, state)}


def _nothing(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    _type_id(api, state)
    return {}


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


SCENARIOS: list[Scenario] = [
    Scenario("create customer", "1 write", _nothing,
             lambda api, s: api.post("/customers", {"companyName": f"New {next(_counter)}",
                                                    "customerTypeId": _type_id(api, s)}, org=ORG), 201),
    Scenario("get customer", "1 read", _fresh,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}", org=ORG), 200),
    Scenario("list customers (page)", "1 Query", _fresh,
             lambda api, s: api.get("/customers", query="limit=20", org=ORG), 200),
    Scenario("patch customer", "1 read + 1 write", _fresh,
             lambda api, s: api.patch(f"/customers/{s['customer']['id']}", {"notes": "changed"},
                                      headers=_if_match(1), org=ORG), 200),
    Scenario("replace customer", "1 read + 1 write", _fresh,
             lambda api, s: api.put(f"/customers/{s['customer']['id']}",
                                    {"companyName": "Replaced", "customerTypeId": _type_id(api, s)},
                                    headers=_if_match(1), org=ORG), 200),
    Scenario("delete customer", "1 read + 1 write", _fresh,
             lambda api, s: api.delete(f"/customers/{s['customer']['id']}", headers=_if_match(1), org=ORG), 204),
    Scenario("restore customer", "1 read + 1 write",
             lambda api, s: _deleted(api, s),
             lambda api, s: api.post(f"/customers/{s['customer']['id']}/restore", headers=_if_match(2), org=ORG),
             200),
]


def _deleted(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    prepared = _fresh(api, state)
    reply = api.delete(f"/customers/{prepared['customer']['id']}", headers=_if_match(1), org=ORG)
    assert reply.status == 204, reply.body
    return prepared
