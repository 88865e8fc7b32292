"""One OpenAPI document for the whole API, generated from the handler modules the template routes to.

Every function with ``HttpApi`` routes is imported; its module-level ``app`` (an
``APIGatewayHttpResolver``) contributes the operations the template routes to that function, and its
component schemas. Resolvers built without validation (``functions/health/openapi.py``, which serves
this very document) cannot be described by Powertools: their routes get a plain operation. On top
of what Powertools generates, this adds the bearer-JWT security scheme (every route the template
does not mark ``Auth: NONE`` is secured) and RFC 9457 problem+json as every operation's error
response (Powertools' own 422 shape is replaced: our handlers answer 422 with problem+json).

    python -m local.openapi --write   # regenerate functions/health/openapi.json (`make openapi`)
    python -m local.openapi --check   # exit 1 when the committed document is stale
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from local import openapi_contract, template
from local.openapi_contract import PROBLEM_CONTENT_TYPE, REF_PREFIX, reachable

ROOT = template.ROOT
DOCUMENT = ROOT / "functions" / "health" / "openapi.json"
TITLE = "Clientele API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Multi-tenant customer records. Every request carries `Authorization: Bearer <JWT>` (claims `sub`, "
    "`org_id`, `role`) except the public routes; errors are RFC 9457 `application/problem+json`."
)
SECURITY_SCHEME = "bearerAuth"
PROBLEM = "Problem"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class OpenApiConflict(ValueError):
    """Two handler modules describe the same operation or schema name differently."""


def _ensure_import_path() -> None:
    for entry in (ROOT / "layers" / "core", ROOT):
        if str(entry) not in sys.path:
            sys.path.insert(0, str(entry))


def _problem_schemas() -> dict[str, Any]:
    from clientele.api.schemas import Problem

    schema = Problem.model_json_schema(ref_template=REF_PREFIX + "{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {PROBLEM: schema, **definitions}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": REF_PREFIX + PROBLEM}}},
    }


Operation = tuple[str, str]  # (lower-case method, template path)


def _module_documents(
    functions: Iterable[template.Function],
) -> Iterator[tuple[str, set[Operation], set[Operation], dict[str, Any], dict[Operation, tuple[str, str]]]]:
    """(module, template routes, public template routes, OpenAPI document, origins) per routed module;
    origins name each operation's handler function and the module's docstring."""
    by_module: dict[str, list[template.Function]] = {}
    for function in functions:
        if any(route.path != "$default" for route in function.routes):
            by_module.setdefault(function.module_name, []).append(function)
    for module_name in sorted(by_module):
        module = importlib.import_module(module_name)
        app = getattr(module, "app", None)
        routes = [route for function in by_module[module_name] for route in function.routes]
        wanted = {(route.method.lower(), route.path) for route in routes}
        public = {(route.method.lower(), route.path) for route in routes if route.public}
        if app is not None and getattr(app, "_enable_validation", False):
            document = app.get_openapi_schema(title=TITLE, version=VERSION).model_dump(
                mode="json", by_alias=True, exclude_none=True)
        else:
            document = _plain_document(module, app)
        origins = {(route.method.lower(), route.openapi_path): (route.func.__name__, module.__doc__ or "")
                   for route in [*getattr(app, "_static_routes", []), *getattr(app, "_dynamic_routes", [])]}
        yield module_name, wanted, public, document, origins


def _plain_document(module: Any, app: Any) -> dict[str, Any]:
    """Operations of a resolver without validation (Powertools cannot describe those): summary and tags
    from the route, the module docstring's first line otherwise; the body is described by the route."""
    fallback = _summary_of(module.__doc__ or "")
    paths: dict[str, dict[str, Any]] = {}
    for route in [*getattr(app, "_static_routes", []), *getattr(app, "_dynamic_routes", [])]:
        responses = {str(status): dict(response) for status, response in (route.responses or {}).items()}
        operation: dict[str, Any] = {
            "operationId": f"{route.func.__name__}_{route.method.lower()}",
            "summary": route.summary or fallback,
            "responses": responses or {"200": {"description": route.response_description or "Successful Response"}},
        }
        if route.description:
            operation["description"] = route.description
        names = re.findall(r"\{(\w+)\}", route.openapi_path)
        if names:
            operation["parameters"] = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                                       for name in names]
        if route.tags:
            operation["tags"] = list(route.tags)
        paths.setdefault(route.openapi_path, {})[route.method.lower()] = operation
    return {"paths": paths}


def _summary_of(docstring: str) -> str:
    """'GET /x — the thing (more words) …' → 'The thing'."""
    paragraph = " ".join(docstring.strip().split("\n\n")[0].split())
    text = paragraph.split(" — ", 1)[-1]
    for stop in (" (", ". ", ";"):
        text = text.split(stop, 1)[0]
    text = text.rstrip(".").strip()
    return text[:1].upper() + text[1:]


def _decorate(operation: dict[str, Any], public: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "422" in responses and not operation.get("parameters") and not operation.get("requestBody"):
        del responses["422"]  # Powertools adds it everywhere; with no inputs there is nothing to reject
    elif "422" in responses:
        responses["422"] = _error_response("Validation error (`validation_error`, with `errors`)")
    responses["default"] = _error_response("Error (RFC 9457 problem details with a stable `code`)")
    operation["security"] = [] if public else [{SECURITY_SCHEME: []}]


# What the handlers answer on success that Powertools cannot see from their signatures (it documents the
# decorator's status, 200 by default). SPEC §3: a POST that creates (it takes Idempotency-Key) answers 201,
# a DELETE 204 without a body; these operations answer more than one success status.
_SUCCESS_STATUSES: dict[Operation, tuple[str, ...]] = {
    ("post", "/imports"): ("201", "202"),  # {"filename"} → 201 with an upload URL; inline text/csv → 202
    ("put", "/customers/by-remote-id/{remoteId}"): ("200", "201"),  # updated, or created
    ("post", "/integrations/quickbooks/sync"): ("202",),  # a trigger: the sync job runs it
    ("post", "/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"): ("202",),  # queued: the delivery job sends it
}


def _takes_idempotency_key(operation: dict[str, Any]) -> bool:
    return any(parameter.get("in") == "header" and str(parameter.get("name", "")).lower() == "idempotency-key"
               for parameter in operation.get("parameters") or ())


def _success_statuses(method: str, path: str, operation: dict[str, Any]) -> tuple[str, ...] | None:
    if (method, path) in _SUCCESS_STATUSES:
        return _SUCCESS_STATUSES[method, path]
    if method == "delete":
        return ("204",)
    if method == "post" and _takes_idempotency_key(operation):
        return ("201",)
    return None


def _document_success(method: str, path: str, operation: dict[str, Any]) -> None:
    """Replace Powertools' success response by the statuses the handler really answers."""
    wanted = _success_statuses(method, path, operation)
    responses: dict[str, Any] = operation.get("responses", {})
    documented = sorted(status for status in responses if status.startswith("2"))
    if wanted is None or not documented or (tuple(documented) == wanted and "204" not in wanted):
        return
    success = responses[documented[0]]
    for status in documented:
        del responses[status]
    for status in wanted:
        if status == "204":
            responses[status] = {"description": "No Content"}
        else:
            responses[status] = {**success, "description": _SUCCESS_DESCRIPTIONS.get(status, success["description"])}


_SUCCESS_DESCRIPTIONS = {"201": "Created (with `Location` and, for versioned resources, `ETag`)",
                         "202": "Accepted"}


def _request_bodies(module_name: str) -> dict[Operation, dict[str, Any]]:
    """Bodies a handler reads itself (not through a ``Body()`` parameter), so Powertools cannot see them."""
    if module_name != "functions.imports.create":
        return {}
    module = importlib.import_module(module_name)
    upload = module.UploadRequest.model_json_schema(ref_template=REF_PREFIX + "{model}")
    return {("post", "/imports"): {
        "required": True,
        "description": "The CSV itself (`text/csv`, at most 4 MB; answered 202), or `{\"filename\"}` for a "
                       "pre-signed upload URL (answered 201).",
        "content": {
            "text/csv": {"schema": {"type": "string", "minLength": 1,
                                    "description": "A header row naming the columns, then one customer per row."}},
            "application/json": {"schema": upload},
        },
    }}


def build(functions: Iterable[template.Function] | None = None) -> dict[str, Any]:
    """The whole API's OpenAPI document, from the handler modules the template routes to."""
    _ensure_import_path()
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    schema_owner: dict[str, str] = {}
    operation_ids: dict[str, str] = {}
    origins: dict[Operation, tuple[str, str]] = {}
    public_operations: set[Operation] = set()
    for module_name, wanted, public, document, module_origins in _module_documents(
            functions or template.functions()):
        origins.update(module_origins)
        public_operations |= public
        for path, item in (document.get("paths") or {}).items():
            for method in _METHODS:
                operation = item.get(method)
                if operation is None or (method, path) not in wanted:
                    continue
                if method in paths.get(path, {}):
                    raise OpenApiConflict(f"{method.upper()} {path} is described twice ({module_name}).")
                operation_id = operation.get("operationId")
                if operation_id:
                    if operation_id in operation_ids:
                        raise OpenApiConflict(f"operationId {operation_id} is used by "
                                              f"{operation_ids[operation_id]} and {module_name}.")
                    operation_ids[operation_id] = module_name
                _decorate(operation, (method, path) in public)
                _document_success(method, path, operation)
                body = _request_bodies(module_name).get((method, path))
                if body is not None and "requestBody" not in operation:
                    operation["requestBody"] = body
                paths.setdefault(path, {})[method] = operation
        for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
            if name in schemas and schemas[name] != schema:
                raise OpenApiConflict(f"Schema {name} differs between {schema_owner[name]} and "
                                      f"{module_name}; give one of the models another name.")
            schemas.setdefault(name, schema)
            schema_owner.setdefault(name, module_name)
    for name, schema in _problem_schemas().items():
        if name in schemas and schemas[name] != schema:
            raise OpenApiConflict(f"Schema {name} from {schema_owner[name]} clashes with the problem schema.")
        schemas[name] = schema
    # Drop what no operation refers to: Powertools' own 422 shapes (replaced by Problem above) and the
    # models of routes the template does not send to that module.
    keep = reachable(paths, schemas)
    schemas = {name: schema for name, schema in schemas.items() if name in keep}
    document = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A JWT with the claims `sub`, `org_id` and `role`.",
                },
            },
        },
    }
    openapi_contract.refine(document, origins, public_operations)
    # The per-operation request schemas replaced the shared models; drop those no operation uses any more.
    keep = reachable(document["paths"], schemas)
    document["components"]["schemas"] = {name: schema for name, schema in schemas.items() if name in keep}
    taken: dict[str, str] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            if operation["operationId"] in taken:
                raise OpenApiConflict(f"operationId {operation['operationId']} names {taken[operation['operationId']]} "
                                      f"and {where}; rename one handler function.")
            taken[operation["operationId"]] = where
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.openapi",
                                     description="Generate or check the committed OpenAPI document.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"write {DOCUMENT.relative_to(ROOT)}")
    mode.add_argument("--check", action="store_true", help="exit 1 when the committed document is stale")
    args = parser.parse_args(argv)
    text = render(build())
    if args.write:
        DOCUMENT.write_text(text, encoding="utf-8")
        print(f"wrote {DOCUMENT.relative_to(ROOT)} ({len(text)} bytes)")
        return 0
    if args.check:
        current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
        if current != text:
            print(f"{DOCUMENT.relative_to(ROOT)} is stale: run `make openapi`.", file=sys.stderr)
            return 1
        print(f"{DOCUMENT.relative_to(ROOT)} is current")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
