"""The committed OpenAPI document (what GET /openapi.json serves) is exactly what the handlers generate,
and it describes every route the template deploys."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local import openapi, template


@pytest.fixture(scope="module")
def fresh() -> dict[str, Any]:
    return openapi.build()


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(openapi.DOCUMENT.read_text(encoding="utf-8"))
    return document


def test_committed_document_is_current(fresh: dict[str, Any]) -> None:
    current = openapi.DOCUMENT.read_text(encoding="utf-8")
    assert current == openapi.render(fresh), (
        f"{openapi.DOCUMENT.relative_to(template.ROOT)} is stale: run `make openapi` and commit the result"
    )


def test_every_template_route_is_documented(committed: dict[str, Any]) -> None:
    paths = committed["paths"]
    missing = [f"{route.method} {route.path}" for route in template.routes()
               if route.path != "$default" and route.method.lower() not in paths.get(route.path, {})]
    assert not missing, f"not in openapi.json: {missing}; run `make openapi`"


def test_only_template_routes_are_documented(committed: dict[str, Any]) -> None:
    deployed = {(route.method.lower(), route.path) for route in template.routes()}
    documented = {(method, path) for path, item in committed["paths"].items() for method in item}
    assert documented <= deployed, f"documented but not deployed: {sorted(documented - deployed)}"


def test_security_follows_the_authorizer(committed: dict[str, Any]) -> None:
    assert committed["components"]["securitySchemes"][openapi.SECURITY_SCHEME] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A JWT with the claims `sub`, `org_id` and `role`.",
    }
    for route in template.routes():
        if route.path == "$default":
            continue
        operation = committed["paths"][route.path][route.method.lower()]
        expected: list[dict[str, list[str]]] = [] if route.public else [{openapi.SECURITY_SCHEME: []}]
        assert operation["security"] == expected, f"{route.method} {route.path}"
    public = {route.path for route in template.routes() if route.public}
    assert {"/health", "/openapi.json"} <= public


def test_errors_are_problem_documents(committed: dict[str, Any]) -> None:
    assert openapi.PROBLEM in committed["components"]["schemas"]
    problem_ref = {"$ref": "#/components/schemas/" + openapi.PROBLEM}
    for path, item in committed["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = {openapi.PROBLEM_CONTENT_TYPE: {"schema": problem_ref}}
            assert responses["default"]["content"] == expected, f"{method.upper()} {path}"
            for status, response in responses.items():
                if status != "default" and int(status) >= 400:
                    assert list(response.get("content", {})) == [openapi.PROBLEM_CONTENT_TYPE], \
                        f"{method.upper()} {path} {status}"


def test_document_is_openapi_3_1_and_every_reference_resolves(committed: dict[str, Any]) -> None:
    assert committed["openapi"].startswith("3.1")
    assert committed["info"] == {"title": "Clientele API", "version": "1.0.0",
                                 "description": openapi.DESCRIPTION}
    schemas = committed["components"]["schemas"]
    dangling = {name for name in openapi._refs(committed) if name not in schemas}
    assert not dangling, f"unresolved $ref: {sorted(dangling)}"


def test_document_validates_against_the_openapi_schema(committed: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(committed)


def test_success_statuses_are_the_ones_the_handlers_answer(committed: dict[str, Any]) -> None:
    """SPEC §3: a creating POST (it takes Idempotency-Key) is 201, a DELETE 204 with no body; Powertools
    alone documents 200 for both (found by tests/fuzz: schemathesis rejected every 201 and 204)."""
    for path, item in committed["paths"].items():
        for method, operation in item.items():
            successes = {status for status in operation["responses"] if status.startswith("2")}
            takes_key = any(p["name"] == "idempotency-key" for p in operation.get("parameters", []))
            where = f"{method.upper()} {path}"
            if method == "delete":
                assert successes == {"204"}, where
                assert "content" not in operation["responses"]["204"], where
            elif path == "/imports":
                assert successes == {"201", "202"}, where
                assert set(operation["requestBody"]["content"]) == {"text/csv", "application/json"}, where
            elif path == "/customers/by-remote-id/{remoteId}":
                assert successes == {"200", "201"}, where
            elif (method, path) == ("post", "/integrations/quickbooks/sync"):
                assert successes == {"202"}, where  # a trigger: accepted, the job runs it
            elif method == "post" and takes_key:
                assert successes == {"201"}, where
            else:
                assert successes == {"200"}, where
