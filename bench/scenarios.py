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




def _order(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    customer = _customer(api, state, discountRate=5)
    reply = api.post("/sales-orders", {"customerId": customer["id"], "lines": ORDER_LINES}, org=ORG)
    assert reply.status == 201, reply.body
    return {"customer": customer, "order": reply.body}


ORDER_LINES = [{"description": "Widget", "quantity": 3, "unitPrice": "19.99"},
               {"description": "Fitting", "quantity": "1.5", "unitPrice": "80.00"}]


def _project_stream(api: Api) -> None:
    """Run the stream processor over the records written so far (derived reads need them)."""
    import boto3

    from local.events import LambdaContext
    from local.streams import lambda_record, matches, stream_mappings
    from local.template import functions

    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=_table())["Table"]["LatestStreamArn"]
    mapping = next(m for m in stream_mappings() if m.function == "StreamProcessorFunction")
    handler = next(fn for fn in functions() if fn.logical_id == "StreamProcessorFunction").load()
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = _positions.get(shard["ShardId"]) or streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            reply = streams.get_records(ShardIterator=iterator, Limit=1000)
            _positions[shard["ShardId"]] = iterator = reply.get("NextShardIterator")
            records = [r for r in (lambda_record(raw, arn) for raw in reply["Records"])
                       if any(matches(p, r) for p in mapping.filters)]
            if not reply["Records"]:
                break
            if records:
                handler({"Records": records}, LambdaContext(timeout_seconds=120))


_positions: dict[str, str] = {}


def _table() -> str:
    import os

    return os.environ["TABLE_NAME"]


def _family(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    parent = _customer(api, state)
    children = [_customer(api, state, parentCustomerId=parent["id"]) for _ in range(3)]
    _project_stream(api)
    return {"customer": parent, "children": children}


def _findable(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    email = f"match-{next(_counter)}@example.com"
    customer = _customer(api, state, emails=email)
    _project_stream(api)
    return {"customer": customer, "email": email}


def _deleted(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    prepared = _fresh(api, state)
    reply = api.delete(f"/customers/{prepared['customer']['id']}", headers=_if_match(1), org=ORG)
    assert reply.status == 204, reply.body
    return prepared


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
    Scenario("create sales order", "1 read + 1 counter + 1 write", _fresh,
             lambda api, s: api.post("/sales-orders", {"customerId": s["customer"]["id"], "lines": ORDER_LINES},
                                     org=ORG), 201),
    Scenario("get sales order", "1 read", _order,
             lambda api, s: api.get(f"/sales-orders/{s['order']['id']}", org=ORG), 200),
    Scenario("confirm sales order", "1 read + 1 write", _order,
             lambda api, s: api.patch(f"/sales-orders/{s['order']['id']}", {"status": "confirmed"},
                                      headers=_if_match(1), org=ORG), 200),
    Scenario("list customer's sales orders", "1 Query", _order,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}/sales-orders", org=ORG), 200),
    Scenario("list children", "1 Query", _family,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}/children", org=ORG), 200),
    Scenario("match by email", "1 Query + 1 read", _findable,
             lambda api, s: api.get("/customers/match", query=f"email={s['email']}", org=ORG), 200),
    Scenario("customer report", "1 Query", _nothing,
             lambda api, s: api.get("/reports/customers", query="groupBy=customerType", org=ORG), 200),
]
