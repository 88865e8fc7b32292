"""What makes the generated OpenAPI document exact (SPEC §7.1), on top of what Powertools can see.

Powertools describes a handler from its signature: one model per body, every header optional,
``operationId`` spelled from the path, no response headers, and only 422 as an error. What the
server really does beyond that lives in the entrypoint (401 → 403 → 415), in ``required_version``
(428/412), in the services (404, 409, 503) and in the rules a create or a patch applies to one
shared request model. This module states those facts once, as tables, and rewrites each operation:

- ``operationId``: the handler function's name in camelCase (``create_customer`` → ``createCustomer``);
  the description: the handler module's docstring (what the operation does and answers);
- parameters: path ids are bounded (and UUIDs where the server answers 404 for anything else),
  ``If-Match`` is required with its shape, ``Idempotency-Key`` carries its length and characters;
- request bodies: one schema per operation (``CustomerCreate``, ``CustomerReplace``, ``CustomerPatch``…):
  a create/replace marks what the server requires, a patch allows ``null`` only where ``null``
  clears the field, and the read-only fields a client may echo back (accepted, ignored) are left out;
- decimals that must not be negative carry no sign, and every decimal states its precision;
- responses declare ``ETag``, ``Location`` and ``Retry-After`` and each error status the
  operation can answer, as ``application/problem+json``.

``tests/contract/test_openapi.py`` states these as properties of the committed document; the fuzz
suite (``tests/fuzz``) checks against the running stack that the document and the server agree.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Operation = tuple[str, str]  # (lower-case method, template path)
REF_PREFIX = "#/components/schemas/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

TAGS: list[dict[str, str]] = [
    {"name": "customers", "description": "Customer records: create, read, change, soft-delete and restore, "
                                         "list and filter, match by phone or email, the hierarchy's children."},
    {"name": "contacts", "description": "The people of one customer (at most 50, one primary)."},
    {"name": "activities", "description": "A customer's timeline: notes, calls, emails, meetings and tasks."},
    {"name": "projects", "description": "Projects of one customer, with rollups of their activities and orders."},
    {"name": "sales orders", "description": "Sales orders of a customer: draft, confirmed, cancelled."},
    {"name": "taxonomies", "description": "The organisation's customer types, segments, categories, brokers "
                                          "and payment terms (admins write, everyone reads)."},
    {"name": "address-book", "description": "Shared addresses that contacts point to."},
    {"name": "settings", "description": "The organisation's settings (one versioned document)."},
    {"name": "reports", "description": "Customer counts grouped by a reference field."},
    {"name": "imports", "description": "CSV imports of customers: inline `text/csv` or an upload URL."},
    {"name": "integrations", "description": "The QuickBooks Online integration: sync status, sync requests, "
                                            "and the webhook QuickBooks calls."},
    {"name": "webhooks", "description": "Subscriptions that POST signed events to an integrator's URL, with "
                                        "retries, a delivery log and redelivery (admin)."},
    {"name": "changes", "description": "The changes feed: what changed since a cursor, missing nothing."},
    {"name": "meta", "description": "Liveness and this document; no token needed."},
]

# Path parameters that are not server-assigned UUIDs (the rest answer 404 unless they are one).
_NOT_UUID_PARAMETERS = frozenset({"remoteId", "asset"})
PATH_ID_MAX_LENGTH = 64  # clientele.domain.fields.Id

IF_MATCH_PATTERN = r'^(W/)?"[0-9]{1,18}"$'  # clientele.api.etags: "n" or W/"n"; `*` counts as missing
IF_MATCH_MAX_LENGTH = 22
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"  # clientele.api.idempotency.KEY_PATTERN
IDEMPOTENCY_KEY_MAX_LENGTH = 255
CURRENCY_PATTERN = r"^\s*[A-Za-z]{3}\s*$"  # clientele.domain.currencies.CURRENCY_PATTERN (and an assigned code)
WEBSITE_PATTERN = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://\S+\s*$"  # clientele.domain.websites: http(s), then a host


@dataclass(frozen=True)
class BodyRules:
    """How one shared request model is narrowed for each kind of write that takes it."""

    required_on_create: tuple[str, ...] = ()  # also on a whole-document PUT
    # Fields a create/replace may leave out but not send as null (null is not "absent" for these).
    not_null_on_create: tuple[str, ...] = ()
    # Text fields that must hold more than whitespace wherever they are sent.
    non_blank: tuple[str, ...] = ()
    # (field, pattern) for text a field validator checks by shape (surrounding whitespace is trimmed).
    patterns: tuple[tuple[str, str], ...] = ()
    # Fields where a patch's ``null`` clears the value; every other field refuses null on a patch.
    patch_clears: tuple[str, ...] | None = None  # None: the model is not used by a patch


# From the services' rules (clientele.services.*, clientele.domain.*): what a create needs, what null clears.
BODY_RULES: dict[str, BodyRules] = {
    "CustomerFields": BodyRules(
        required_on_create=("customerTypeId",), not_null_on_create=("contacts",),
        patch_clears=("firstName", "lastName", "companyName", "customerSegmentId", "customerCategoryId", "brokerId",
                      "brokerFeePercent", "parentCustomerId", "accountState", "accountPriority", "emails", "phones",
                      "billingAddress", "shippingAddress", "discountRate", "notes",
                      # SPEC §13: null puts currency back to the org's default and taxExempt to false.
                      "currency", "paymentTermsId", "taxIds", "taxExempt", "resaleNumber", "website", "creditLimit"),
        patterns=(("currency", CURRENCY_PATTERN), ("website", WEBSITE_PATTERN))),
    "ContactFields": BodyRules(required_on_create=("name",), non_blank=("name",),
                               patch_clears=("title", "email", "phone", "addressEntryId", "roles")),
    "ActivityFields": BodyRules(required_on_create=("type",),
                                patch_clears=("title", "body", "dueDate", "occurredAt", "customerProjectId",
                                              "attendees")),
    "ProjectFields": BodyRules(required_on_create=("name",), non_blank=("name",),
                               patch_clears=("summary", "startDate", "targetEndDate")),
    "AddressEntryFields": BodyRules(required_on_create=("label",), non_blank=("label",),
                                    patch_clears=("line1", "line2", "city", "region", "postcode", "country")),
    # A new entry without sortOrder goes last; sortOrder: null is refused.
    "CustomerTypeFields": BodyRules(not_null_on_create=("sortOrder",), non_blank=("name",)),
    "EntryFields": BodyRules(not_null_on_create=("sortOrder",), non_blank=("name",)),
    "BrokerFields": BodyRules(not_null_on_create=("sortOrder",), non_blank=("name",)),
    "PaymentTermsFields": BodyRules(not_null_on_create=("sortOrder",), non_blank=("name",)),
    "SettingsDocument": BodyRules(patterns=(("defaultAreaCode", r"^\s*[0-9]{1,5}\s*$"),
                                            ("quickbooksRealmId", r"^\s*[A-Za-z0-9._-]{1,64}\s*$"),
                                            ("defaultCurrency", CURRENCY_PATTERN))),
    "CustomerTypeChanges": BodyRules(patch_clears=()),
    "EntryChanges": BodyRules(patch_clears=()),
    "BrokerChanges": BodyRules(patch_clears=("defaultFeePercent",)),
    "PaymentTermsChanges": BodyRules(patch_clears=()),
    "SalesOrderPatch": BodyRules(patch_clears=("customerProjectId", "brokerId", "brokerFeePercent")),
    "WebhookCreate": BodyRules(required_on_create=("url", "events")),
    "WebhookFields": BodyRules(patch_clears=("description",)),
}
# Lists whose cursor can outlive what is kept (SPEC §11: the changes feed keeps 30 days).
EXPIRING_CURSORS = frozenset({"/changes"})

# Body schema names per kind of write: CustomerFields → CustomerCreate / CustomerReplace / CustomerPatch.
_SUFFIXES = ("Fields", "Changes", "Patch", "Create", "Document")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def describe(docstring: str) -> str:
    """'POST /customers — create a customer (201, …).' → 'Create a customer (201, …).' (whole docstring)."""
    text = " ".join(docstring.strip().split())
    text = text.split(" — ", 1)[-1] if " — " in text[:120] else text
    return text[:1].upper() + text[1:]


# ----------------------------------------------------------------------------- parameters


def _refine_parameters(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters") or ():
        name = str(parameter.get("name", ""))
        where = parameter.get("in")
        if where == "path":
            schema: dict[str, Any] = {"type": "string", "maxLength": PATH_ID_MAX_LENGTH, "minLength": 1}
            if name not in _NOT_UUID_PARAMETERS:
                schema["format"] = "uuid"
                parameter["description"] = "A server-assigned id (a UUID); anything else is 404."
            parameter["schema"] = schema
            parameter["required"] = True
        elif where == "query":
            # A query string cannot carry null: absent is the only "no value".
            parameter["schema"] = _without_null(parameter.get("schema") or {})
        elif where == "header" and name.lower() == "if-match":
            parameter.update(
                required=True,
                description='The `ETag` last read, as `"<version>"` (or `W/"<version>"`). Missing or `*` is 428 '
                            "`precondition_required`; a stale version is 412 `version_conflict` with "
                            "`currentVersion`.",
                schema={"type": "string", "maxLength": IF_MATCH_MAX_LENGTH, "pattern": IF_MATCH_PATTERN},
            )
        elif where == "header" and name.lower() == "idempotency-key":
            parameter.update(
                required=False,
                description="1 to 255 visible ASCII characters (`!` to `~`, no spaces), scoped to the "
                            "organisation and kept 24 h. A retry with the same key and body returns the first "
                            "response and creates nothing; the same key with another body is 409 "
                            "`idempotency_conflict`. Only successes are remembered.",
                schema={"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
                        "pattern": IDEMPOTENCY_KEY_PATTERN},
            )


def _takes(operation: dict[str, Any], header: str) -> bool:
    return any(p.get("in") == "header" and str(p.get("name", "")).lower() == header
               for p in operation.get("parameters") or ())


# ----------------------------------------------------------------------------- request bodies


def _base_name(model: str) -> str:
    for suffix in _SUFFIXES:
        if model.endswith(suffix) and model != suffix:
            return model[: -len(suffix)]
    return model


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return schema
    kept = [branch for branch in branches if branch != {"type": "null"}]
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    if len(kept) == 1:
        return {**rest, **kept[0]}
    return {**rest, "anyOf": kept}


def _non_blank(schema: dict[str, Any]) -> dict[str, Any]:
    """Surrounding whitespace is trimmed and a blank value is absent, so the text needs a visible character."""
    if schema.get("type") == "string":
        return {**schema, "minLength": max(1, int(schema.get("minLength", 0))), "pattern": r"\S"}
    if isinstance(schema.get("anyOf"), list):
        return {**schema, "anyOf": [_non_blank(branch) for branch in schema["anyOf"]]}
    return schema


def _with_pattern(schema: dict[str, Any], pattern: str) -> dict[str, Any]:
    if schema.get("type") == "string":
        return {**schema, "pattern": pattern}
    if isinstance(schema.get("anyOf"), list):
        return {**schema, "anyOf": [_with_pattern(branch, pattern) for branch in schema["anyOf"]]}
    return schema


def _is_untyped(schema: Any) -> bool:
    """A property typed ``Any``: a read-only field a client may echo back (accepted and ignored)."""
    return isinstance(schema, dict) and not {"type", "$ref", "anyOf", "allOf", "oneOf", "enum", "const"} & schema.keys()


def _strip_read_only(schema: dict[str, Any]) -> None:
    properties: dict[str, Any] = schema.get("properties") or {}
    for name in [name for name, value in properties.items() if _is_untyped(value)]:
        del properties[name]
    if "required" in schema:
        schema["required"] = [name for name in schema["required"] if name in properties]


def _body_kind(method: str, operation: dict[str, Any]) -> str | None:
    if method == "patch":
        return "Patch"
    if method == "put" and _takes(operation, "if-match"):
        return "Replace"
    if method == "post" and _takes(operation, "idempotency-key"):
        return "Create"
    return None


def _narrow_body(method: str, operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    content = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json")
    if not content:
        return
    ref = str(content.get("schema", {}).get("$ref", ""))
    model = ref.removeprefix(REF_PREFIX)
    kind = _body_kind(method, operation)
    if not model or model not in schemas or kind is None:
        return
    rules = BODY_RULES.get(model, BodyRules())
    name = _base_name(model) + kind  # SalesOrderPatch stays SalesOrderPatch: narrowed in place
    schema = copy.deepcopy(schemas[model])
    schema["title"] = name
    properties: dict[str, Any] = schema.get("properties") or {}
    if kind in {"Create", "Replace"}:
        required = list(dict.fromkeys([*schema.get("required", []), *rules.required_on_create]))
        for field in (*rules.required_on_create, *rules.not_null_on_create):
            properties[field] = _without_null(properties[field])
        if required:
            schema["required"] = required
        schema["description"] = f"The fields of a {'new' if kind == 'Create' else 'whole'} document."
    else:
        clears = set(rules.patch_clears or ())
        for field in list(properties):
            if field not in clears:
                properties[field] = _without_null(properties[field])
        schema.pop("required", None)
        schema["description"] = ("The fields to change; those left out stay as they are. "
                                 + ("`null` clears " + ", ".join(f"`{f}`" for f in sorted(clears)) + "."
                                    if clears else "No field can be cleared with `null`."))
    for field in rules.non_blank:
        if field in properties:
            properties[field] = _non_blank(properties[field])
    for field, pattern in rules.patterns:
        if field in properties:
            properties[field] = _with_pattern(properties[field], pattern)
    existing = schemas.get(name)
    if existing is not None and name != model and existing != schema:
        raise ValueError(f"{name} would mean two different bodies")
    schemas[name] = schema
    content["schema"] = {"$ref": REF_PREFIX + name}


# ----------------------------------------------------------------------------- decimals

_DECIMAL_PATTERN = re.compile(r"^\^\(\?!\^\[-\+\.\]\*\$\)\[\+-\]\?0\*\\d\*\\\.\?\\d\{0,(\d+)\}0\*\$$")


def _refine_decimal(schema: dict[str, Any]) -> None:
    """pydantic's ``Decimal`` = anyOf[number, string with a pattern]: the string branch allows a sign even
    where the number branch has ``minimum >= 0`` (the server refuses a negative), and neither branch says
    how many places are allowed."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return
    numbers = [b for b in branches if isinstance(b, dict) and b.get("type") == "number"]
    strings = [b for b in branches if isinstance(b, dict) and b.get("type") == "string"
               and isinstance(b.get("pattern"), str) and _DECIMAL_PATTERN.match(b["pattern"])]
    if not numbers or not strings:
        return
    places = int(_DECIMAL_PATTERN.match(strings[0]["pattern"]).group(1))  # type: ignore[union-attr]
    unsigned = all(float(n.get("minimum", -1)) >= 0 or float(n.get("exclusiveMinimum", -1)) >= 0 for n in numbers)
    maxima = [Decimal(str(n["maximum"])) for n in numbers if "maximum" in n]
    positive = all(float(n.get("exclusiveMinimum", -1)) >= 0 for n in numbers)
    for branch in strings:
        branch["pattern"] = decimal_pattern(places, maxima[0] if maxima else None, unsigned, positive)
        branch["description"] = (f"A decimal as a string, at most {places} places"
                                 + (", no sign" if unsigned else "")
                                 + (f", at most {maxima[0].normalize():f}" if maxima else "") + ".")
    for branch in numbers:
        branch["multipleOf"] = float(f"1e-{places}")


def decimal_pattern(places: int, maximum: Decimal | None, unsigned: bool, positive: bool) -> str:
    """A pattern for the string form of a decimal bounded like the number form (ECMA-262 regex)."""
    fraction = rf"(\.[0-9]{{1,{places}}})?"
    sign = "" if unsigned else "-?"
    not_zero = r"(?!0+(\.0+)?$)" if positive else ""
    if maximum is None:
        body = rf"[0-9]{{1,15}}{fraction}"
    else:
        whole = int(maximum)
        digits = len(str(whole))
        if maximum == whole and whole == 10 ** (digits - 1) and digits > 1:  # 100, 1000000000: that value exactly
            body = rf"(1[0]{{{digits - 1}}}(\.0{{1,{places}}})?|[0-9]{{1,{digits - 1}}}{fraction})"
        else:  # 999999999999.99: every value of that many digits
            body = rf"[0-9]{{1,{digits}}}{fraction}"
    return rf"^{not_zero}{sign}{body}$"


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        _refine_decimal(node)
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)
    return node


# ----------------------------------------------------------------------------- responses


def _problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": REF_PREFIX + "Problem"}}},
    }
    if headers:
        response["headers"] = headers
    return response


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.",
                                "schema": {"type": "integer", "minimum": 0}}}
_ETAG = {"ETag": {"description": 'The version just read or written, as `"<version>"`; send it back as `If-Match`.',
                  "schema": {"type": "string"}}}
_LOCATION = {"Location": {"description": "The path of the resource just created.", "schema": {"type": "string"}}}
_ALLOW = {"Allow": {"description": "The methods the path takes.", "schema": {"type": "string"}}}


def _versioned(response: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """A success whose body is one versioned resource (it carries ``version``): it answers ``ETag``."""
    schema = ((response.get("content") or {}).get("application/json") or {}).get("schema") or {}
    name = str(schema.get("$ref", "")).removeprefix(REF_PREFIX)
    properties = (schemas.get(name) or {}).get("properties") or {}
    return "version" in properties


def _error_statuses(method: str, path: str, operation: dict[str, Any], public: bool) -> dict[str, str]:
    statuses: dict[str, str] = {}
    has_path_ids = any(p.get("in") == "path" and p.get("name") not in _NOT_UUID_PARAMETERS
                       for p in operation.get("parameters") or ())
    has_body = "requestBody" in operation
    # A path id that is not one is 404, not 422: only bodies, queries and headers are validated.
    has_inputs = has_body or any(p.get("in") in {"query", "header"} for p in operation.get("parameters") or ())
    if any(p.get("name") == "cursor" for p in operation.get("parameters") or ()):
        statuses["400"] = "The cursor is not valid (`bad_cursor`): edited, or minted for another organisation."
    if path in EXPIRING_CURSORS:
        statuses["410"] = "The cursor points before what is kept (`cursor_expired`); start again without it."
    if not public:
        statuses["401"] = "No valid token (`unauthorized`)."
        statuses["403"] = "The token's role may not do this (`forbidden`)."
    if has_path_ids:
        statuses["404"] = "No such resource in this organisation (`not_found`)."
    if method in {"post", "put", "patch", "delete"} and not public:
        statuses["409"] = ("Conflicts with the stored state (`duplicate`, `in_use`, `has_children`, "
                           "`customer_deleted`, `idempotency_conflict`, `integration_enabled`, …).")
    if _takes(operation, "if-match"):
        statuses["412"] = "The resource changed since it was read (`version_conflict`, with `currentVersion`)."
    if has_body:
        statuses["413"] = "The body is too large (`payload_too_large`)."
        statuses["415"] = "The body is not in a media type this operation takes (`unsupported_media_type`)."
    if has_inputs:
        statuses["422"] = "The request is not valid (`validation_error`, with `errors` naming each field)."
    if _takes(operation, "if-match"):
        statuses["428"] = "`If-Match` is missing, `*` or unreadable (`precondition_required`)."
    if not public:
        statuses["503"] = "The data store is busy or unavailable (`service_unavailable`); retry after `Retry-After`."
    return statuses


def _refine_responses(method: str, path: str, operation: dict[str, Any], public: bool,
                      schemas: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, response in list(responses.items()):
        if not status.startswith("2"):
            continue
        headers: dict[str, Any] = {}
        if status in {"200", "201"} and _versioned(response, schemas):
            headers.update(_ETAG)
        if status == "201":
            headers.update(_LOCATION)
        if headers:
            response["headers"] = headers
    for status in [status for status in responses if status[0] in "45" and status != "default"]:
        del responses[status]
    for status, description in _error_statuses(method, path, operation, public).items():
        responses[status] = _problem(description, _RETRY_AFTER if status == "503" else None)


# ----------------------------------------------------------------------------- the document


def refs(node: Any) -> Iterator[str]:
    """The component schema names ``node`` refers to by ``$ref``, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(REF_PREFIX):
                yield value[len(REF_PREFIX):]
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def reachable(paths: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """The component schemas ``paths`` refer to, directly or through other schemas."""
    seen: set[str] = set()
    pending = list(refs(paths))
    while pending:
        name = pending.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        pending.extend(refs(schemas[name]))
    return seen




def refine(document: dict[str, Any], origins: dict[Operation, tuple[str, str]], public: set[Operation]) -> None:
    """Rewrite ``document`` in place; ``origins`` maps each operation to (handler name, module docstring)."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            function, docstring = origins[(method, path)]
            operation["operationId"] = camel(function)
            operation["description"] = operation.get("description") or describe(docstring)
            _refine_parameters(operation)
            _narrow_body(method, operation, schemas)
            _refine_responses(method, path, operation, (method, path) in public, schemas)
    request_models = _request_models(document["paths"], schemas)
    for name in request_models:
        _strip_read_only(schemas[name])
    _walk(schemas)
    _walk(document["paths"])
    document["tags"] = TAGS


def _request_models(paths: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    bodies = [operation["requestBody"] for item in paths.values() for operation in item.values()
              if "requestBody" in operation]
    return reachable({"bodies": bodies}, schemas)
