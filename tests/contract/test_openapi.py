"""The committed OpenAPI document (what GET /openapi.json serves) is exactly what the handlers generate,
and it describes every route the template deploys."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from local import openapi, openapi_contract, template


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
    dangling = {name for name in openapi_contract.refs(committed) if name not in schemas}
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
            elif (method, path) == ("post", "/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"):
                assert successes == {"202"}, where  # queued: the delivery job sends it
            elif method == "post" and takes_key:
                assert successes == {"201"}, where
            else:
                assert successes == {"200"}, where


# ----------------------------------------------------------------------------- SPEC §7.1: the document is exact


def _operations(committed: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in committed["paths"].items()
            for method, operation in item.items()]


def _parameter(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in operation.get("parameters", []) if p["name"].lower() == name), None)


def _schema(committed: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = committed["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    return schema


def _body(committed: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    content = committed["paths"][path][method]["requestBody"]["content"]["application/json"]
    return _schema(committed, content["schema"])


def _nullable(schema: dict[str, Any]) -> bool:
    return {"type": "null"} in schema.get("anyOf", [])


def test_operation_ids_are_short_stable_camel_case(committed: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _method, _path, operation in _operations(committed)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-zA-Z]{2,40}", operation_id) for operation_id in ids), ids
    paths = committed["paths"]
    assert paths["/customers"]["post"]["operationId"] == "createCustomer"
    assert paths["/customers"]["get"]["operationId"] == "listCustomers"
    assert paths["/customers/{customerId}"]["patch"]["operationId"] == "updateCustomer"


def test_tags_are_declared_with_descriptions_and_every_operation_is_described(committed: dict[str, Any]) -> None:
    declared = {tag["name"]: tag.get("description") for tag in committed["tags"]}
    assert all(declared.values())
    for method, path, operation in _operations(committed):
        assert operation.get("description"), f"{method.upper()} {path}"
        assert operation.get("tags") and set(operation["tags"]) <= declared.keys(), f"{method.upper()} {path}"


def test_if_match_is_required_on_every_write_of_a_versioned_resource(committed: dict[str, Any]) -> None:
    """SPEC §3: PUT/PATCH/DELETE and restore of one versioned resource need If-Match; the taxonomy reorder
    and the upsert by remote id do not."""
    without = {("put", "/customers/by-remote-id/{remoteId}")} | {
        ("put", path) for path in committed["paths"] if path.endswith("/order")}
    for method, path, operation in _operations(committed):
        writes_one = method in {"put", "patch", "delete"} or path.endswith("/restore")
        if_match = _parameter(operation, "if-match")
        if writes_one and (method, path) not in without:
            assert if_match is not None and if_match["required"] is True, f"{method.upper()} {path}"
            assert if_match["schema"]["maxLength"] <= 64 and "pattern" in if_match["schema"]
            assert {"412", "428"} <= operation["responses"].keys(), f"{method.upper()} {path}"
        else:
            assert if_match is None, f"{method.upper()} {path}"


def test_idempotency_key_states_its_length_and_characters(committed: dict[str, Any]) -> None:
    keys = [_parameter(operation, "idempotency-key") for _m, _p, operation in _operations(committed)]
    documented = [key for key in keys if key is not None]
    assert documented
    for key in documented:
        assert key["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"}
        assert "255" in key["description"]


def test_path_ids_are_bounded(committed: dict[str, Any]) -> None:
    for method, path, operation in _operations(committed):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["required"] is True and parameter["schema"]["maxLength"] <= 64, \
                    f"{method.upper()} {path} {parameter['name']}"


def test_request_schemas_hold_no_read_only_fields(committed: dict[str, Any]) -> None:
    """Read-only fields a client may echo back are accepted and ignored, so they are not documented;
    no request property is left untyped."""
    schemas = committed["components"]["schemas"]
    bodies = [operation["requestBody"] for _m, _p, operation in _operations(committed) if "requestBody" in operation]
    for name in openapi_contract.reachable({"bodies": bodies}, schemas):
        for field, schema in (schemas[name].get("properties") or {}).items():
            assert {"type", "$ref", "anyOf", "enum", "const"} & schema.keys(), f"{name}.{field} is untyped"
            assert field not in {"version", "createdAt", "updatedAt", "displayName", "number", "total"}, \
                f"{name}.{field} is read-only"


def test_create_replace_and_patch_have_their_own_schemas(committed: dict[str, Any]) -> None:
    create = _body(committed, "post", "/customers")
    replace = _body(committed, "put", "/customers/{customerId}")
    patch = _body(committed, "patch", "/customers/{customerId}")
    assert (create["title"], replace["title"], patch["title"]) == ("CustomerCreate", "CustomerReplace", "CustomerPatch")
    assert "customerTypeId" in create["required"] and "customerTypeId" in replace["required"]
    assert "required" not in patch
    assert not _nullable(patch["properties"]["customerTypeId"])  # null cannot clear the type
    assert _nullable(patch["properties"]["notes"])  # null clears the notes
    assert "name" in _body(committed, "post", "/customers/{customerId}/contacts")["required"]
    for path in ("/customer-types/{customerTypeId}", "/customer-segments/{customerSegmentId}", "/brokers/{brokerId}"):
        changes = _body(committed, "patch", path)
        assert not _nullable(changes["properties"]["name"]) and not _nullable(changes["properties"]["sortOrder"])


def test_lists_are_bounded_like_the_server(committed: dict[str, Any]) -> None:
    """SPEC §7.1: emails ≤ 10, phones ≤ 10, contacts ≤ 50, lines ≤ 200."""
    create = _body(committed, "post", "/customers")["properties"]
    for field, bound in (("emails", 10), ("phones", 10), ("contacts", 50)):
        arrays = [branch for branch in create[field].get("anyOf", [create[field]]) if branch.get("type") == "array"]
        assert [branch["maxItems"] for branch in arrays] == [bound], field
    lines = _body(committed, "post", "/sales-orders")["properties"]["lines"]
    assert lines["maxItems"] == 200


def test_non_negative_decimals_allow_no_sign(committed: dict[str, Any]) -> None:
    fee = _body(committed, "post", "/customers")["properties"]["discountRate"]["anyOf"]
    number = next(branch for branch in fee if branch.get("type") == "number")
    text = next(branch for branch in fee if branch.get("type") == "string")
    assert number["minimum"] == 0 and number["multipleOf"] == 0.0001
    assert not re.search(text["pattern"], "-5") and not re.search(text["pattern"], "+5")
    assert re.search(text["pattern"], "12.5") and not re.search(text["pattern"], "100.5")


def test_responses_declare_their_headers(committed: dict[str, Any]) -> None:
    paths = committed["paths"]
    created = paths["/customers"]["post"]["responses"]["201"]["headers"]
    assert {"ETag", "Location"} <= created.keys()
    assert "ETag" in paths["/customers/{customerId}"]["get"]["responses"]["200"]["headers"]
    assert "ETag" in paths["/customers/{customerId}"]["patch"]["responses"]["200"]["headers"]
    for method, path, operation in _operations(committed):
        if "503" in operation["responses"]:
            assert "Retry-After" in operation["responses"]["503"]["headers"], f"{method.upper()} {path}"


def test_every_error_status_an_operation_answers_is_documented(committed: dict[str, Any]) -> None:
    for method, path, operation in _operations(committed):
        statuses = operation["responses"].keys()
        where = f"{method.upper()} {path}"
        if operation["security"]:
            assert {"401", "403", "503"} <= statuses, where
        if "requestBody" in operation:
            assert {"415", "422"} <= statuses, where
        if any(p["in"] == "path" and p["schema"].get("format") == "uuid" for p in operation.get("parameters", [])):
            assert "404" in statuses, where


def test_the_inline_csv_import_body_is_documented(committed: dict[str, Any]) -> None:
    body = committed["paths"]["/imports"]["post"]["requestBody"]["content"]
    assert body["text/csv"]["schema"]["type"] == "string" and body["text/csv"]["schema"]["minLength"] == 1
