"""Every route in template.yaml, fed malformed and hostile input: always a 4xx problem+json, never 5xx.

The routes are read from the template, so a new route cannot escape the sweep.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from local import template
from local.invoke import Reply, Verbs

ROUTES = sorted({(r.method, r.path) for r in template.routes() if r.path != "$default"})
# Public routes that authenticate by signature (SPEC §5.3): an unsigned request stops at 401,
# before media type and size are looked at (401 → 403 → 415 → 422).
SIGNED_ROUTES = {("POST", "/integrations/quickbooks/webhook")}
HOSTILE_IDS = ["not-a-uuid", "' OR '1'='1", "..%2F..%2Fetc%2Fpasswd", "ORG#other#CUST#x", "x" * 300, str(uuid.uuid4())]
HOSTILE_BODIES = [
    "{not json",
    "[]",
    '"a string"',
    "123",
    "null",
    json.dumps({"unknownField": 1}),
    json.dumps({"firstName": {"$ne": None}, "companyName": ["x"], "customerTypeId": 7}),
    json.dumps({"name": "'; DROP TABLE customers;--", "companyName": "<script>alert(1)</script>"}),
    json.dumps({"discountRate": "NaN", "brokerFeePercent": "1e400"}),
    json.dumps({"limit": -1, "ids": "everything"}),
]


def concrete(path: str, value: str) -> str:
    return re.sub(r"\{\w+\}", value, path)


def assert_problem(reply: Reply, context: object) -> None:
    assert 400 <= reply.status < 500, (context, reply.status, reply.raw[:300])
    if reply.status != 204:
        assert reply.headers.get("Content-Type") == "application/problem+json", (context, reply.headers)
        assert {"type", "title", "status", "detail", "code"} <= set(reply.body), (context, reply.body)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_hostile_bodies_are_4xx_problems(api: Verbs, method: str, path: str) -> None:
    if method not in {"POST", "PUT", "PATCH"}:
        pytest.skip("route takes no body")
    for body in HOSTILE_BODIES:
        reply = api.call(method, concrete(path, str(uuid.uuid4())), raw_body=body, headers={"If-Match": '"1"'})
        if reply.status < 400:
            continue  # a lenient route may accept e.g. `{}` documents; it must still not fail
        assert_problem(reply, (method, path, body))


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_hostile_path_ids_are_4xx_problems(api: Verbs, method: str, path: str) -> None:
    if "{" not in path:
        pytest.skip("no path parameter")
    for value in HOSTILE_IDS:
        body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
        reply = api.call(method, concrete(path, value), body=body, headers={"If-Match": '"1"'})
        if reply.status < 400:
            continue
        assert_problem(reply, (method, path, value))


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_hostile_query_strings_are_not_5xx(api: Verbs, method: str, path: str) -> None:
    for query in ("limit=abc", "limit=0", "cursor=%00%ff", "q=%27%20OR%201%3D1", "includeDeleted=maybe",
                  "accountState=" + "x" * 500):
        reply = api.call(method, concrete(path, str(uuid.uuid4())), query=query,
                         body={} if method in {"POST", "PUT", "PATCH"} else None, headers={"If-Match": '"1"'})
        assert reply.status < 500, (method, path, query, reply.raw[:300])


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] in {"POST", "PUT", "PATCH"}])
def test_oversized_bodies_are_413(api: Verbs, method: str, path: str) -> None:
    body = json.dumps({"notes": "x" * (300 * 1024)})
    reply = api.call(method, concrete(path, str(uuid.uuid4())), raw_body=body, headers={"If-Match": '"1"'})
    signed = (method, path) in SIGNED_ROUTES
    assert (reply.status, reply.body["code"]) == ((401, "unauthorized") if signed else (413, "payload_too_large"))
    assert_problem(reply, (method, path))


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] in {"POST", "PUT", "PATCH"}])
def test_wrong_media_type_is_415(api: Verbs, method: str, path: str) -> None:
    if path == "/imports":
        pytest.skip("imports take text/csv")
    reply = api.call(method, concrete(path, str(uuid.uuid4())), raw_body="<xml/>",
                     headers={"content-type": "application/xml", "If-Match": '"1"'})
    signed = (method, path) in SIGNED_ROUTES
    assert (reply.status, reply.body["code"]) == ((401, "unauthorized") if signed else (415, "unsupported_media_type"))
    assert_problem(reply, (method, path))


def test_unknown_route_is_a_404_problem(api: Verbs) -> None:
    reply = api.get("/no/such/route")
    assert reply.status == 404
    assert_problem(reply, "unknown route")
    assert reply.body["code"] == "not_found"


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] in {"POST", "PUT", "PATCH"}])
def test_json_bodies_that_are_not_utf8_are_422(api: Verbs, method: str, path: str) -> None:
    """API Gateway base64-encodes a body that is not UTF-8 text; as JSON it is a 422, never a 500
    (found by the schemathesis suite: Powertools failed decoding it)."""
    import base64

    from local.events import LambdaContext, http_api_event

    function = next(fn for fn in template.functions() for r in fn.routes if (r.method, r.path) == (method, path))
    route = next(r for r in function.routes if (r.method, r.path) == (method, path))
    concrete_path = concrete(path, str(uuid.uuid4()))
    event = http_api_event(method=method, path=concrete_path, route_key=f"{method} {path}",
                           path_parameters={name: str(uuid.uuid4()) for name in re.findall(r"\{(\w+)\}", path)} or None,
                           headers={"content-type": "application/json", "If-Match": '"1"'},
                           body=base64.b64encode(b'{"name": "\x80\xff"}').decode(),
                           claims=None if route.public else {"sub": "u", "org_id": "acme", "role": "admin"})
    event["isBase64Encoded"] = True
    response = function.load()(event, LambdaContext())
    expected = 401 if (method, path) in SIGNED_ROUTES else 422
    assert response["statusCode"] == expected, (method, path, response.get("body"))
    assert response["headers"]["Content-Type"] == "application/problem+json"
