"""The shape every handler shares: an entrypoint that authenticates, authorises and checks the
media type before Powertools validates (SPEC §3 order: 401 → 403 → 415 → 422 → 428), plus the
exception handlers that turn every error into problem+json.

Handlers build ``app = APIGatewayHttpResolver(...)`` literally (OpenAPI generation finds only
those) and call :func:`install` and :func:`entrypoint` on it.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from clientele import observability
from clientele.api import auth, etags
from clientele.api.problems import PROBLEM_CONTENT_TYPE, problem_body, problem_of, raw_problem_response
from clientele.config import config
from clientele.errors import (
    ClienteleError,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from clientele.services import request_scope

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

logger = logging.getLogger("clientele")

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
JSON = "application/json"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# Bodies are parsed with Decimal so money and percentages never pass through float.
parse_json = partial(json.loads, parse_float=Decimal)


def problem_response(error: ClienteleError) -> Response[Any]:
    return Response(
        status_code=error.status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=json.dumps(problem_of(error)),
        headers=error.headers or None,
    )


def _validation_problem(exc: RequestValidationError) -> Response[Any]:
    errors = [_field_error(error) for error in exc.errors()]
    fields = ", ".join(dict.fromkeys(error["field"] for error in errors)) or "body"
    body = problem_body(422, "validation_error", "The request is not valid", f"Check these fields: {fields}.",
                        errors=errors)
    return Response(status_code=422, content_type=PROBLEM_CONTENT_TYPE, body=json.dumps(body, default=str))


def _field_error(error: Mapping[str, Any]) -> dict[str, str]:
    loc = [str(part) for part in error.get("loc", ())]
    # ("body", "billingAddress", "country") → "billingAddress.country"; ("query", "limit") → "limit"
    where = loc[1:] if loc and loc[0] in {"body", "query", "path", "header"} else loc
    field = ".".join(where) or "body"
    kind = str(error.get("type", ""))
    message = _messages.get(kind) or str(error.get("msg") or kind or "is not valid")
    if kind == "json_invalid":
        field, message = "body", "The body is not valid JSON."
    return {"field": field, "message": message}


_messages = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not recognised; remove it.",
    "string_too_long": "This value is too long.",
    "string_too_short": "This value is too short.",
    "json_invalid": "The body is not valid JSON.",
    "model_attributes_type": "Expected a JSON object.",
    "dict_type": "Expected a JSON object.",
}


def _unexpected(exc: Exception) -> Response[Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError | BotoCoreError):
        logger.warning("storage unavailable: %s", exc)
        return problem_response(ServiceUnavailable("The data store is busy or unavailable; retry shortly."))
    logger.exception("unhandled error")
    body = problem_body(500, "internal_error", "Internal error", "Something went wrong on our side.")
    return Response(status_code=500, content_type=PROBLEM_CONTENT_TYPE, body=json.dumps(body))


def install(app: APIGatewayHttpResolver) -> None:
    """Register the problem+json exception handlers on a handler's resolver."""
    app.exception_handler(ClienteleError)(problem_response)
    app.exception_handler(RequestValidationError)(_validation_problem)
    app.exception_handler(NotFoundError)(lambda _exc: problem_response(NotFound("No such route.")))
    app.exception_handler(Exception)(_unexpected)
    app.not_found(lambda _exc: problem_response(NotFound("No such route.")))


def entrypoint(app: APIGatewayHttpResolver, allowed_roles: frozenset[str],
               media_types: tuple[str, ...] = (JSON,)) -> LambdaHandler:
    """The Lambda handler: authenticate, authorise, check media type and size, then route; one log
    line and the error metrics per request (clientele.observability)."""

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            principal = auth.authenticate(event)
            observability.annotate(org=principal.org)
            auth.authorize(principal, allowed_roles)
            _check_body(event, media_types)
            from clientele.services import orgs

            orgs.require_provisioned(principal.org)
        except ClienteleError as error:
            return raw_problem_response(error)
        auth.set_principal(principal, context)
        try:
            return app.resolve(event, context)
        finally:
            auth.set_principal(None)

    # Each request reads the org catalog afresh (services/orgs.py: no cache outlives a request).
    return observability.observe_request(request_scope.per_request(lambda_handler))


def public_entrypoint(app: APIGatewayHttpResolver) -> LambdaHandler:
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    return observability.observe_request(lambda_handler)


def _check_body(event: Mapping[str, Any], media_types: tuple[str, ...]) -> None:
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "")
    body = event.get("body")
    if method not in _BODY_METHODS or body in (None, ""):
        return
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in media_types:
        raise UnsupportedMediaType(
            f"Send the body as {' or '.join(media_types)}; got {content_type or 'no Content-Type'}."
        )
    if content_type == JSON and len(body) > config().max_json_body_bytes:
        raise PayloadTooLarge(f"A JSON body may hold at most {config().max_json_body_bytes} bytes.")
    if content_type == JSON and event.get("isBase64Encoded"):
        # API Gateway base64-encodes a body that is not valid UTF-8 text; JSON must be UTF-8 (RFC 8259),
        # and Powertools would fail decoding it (a 500) instead of rejecting it.
        try:
            base64.b64decode(str(body), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ValidationFailed.of("body", "The body is not valid JSON (it must be UTF-8 text).") from None


def principal() -> auth.Principal:
    return auth.current_principal()


def json_response(body: Any, status: int = 200, version: int | None = None,
                  location: str | None = None) -> Response[Any]:
    headers: dict[str, str] = {}
    if version is not None:
        headers["ETag"] = etags.etag(version)
    if location is not None:
        headers["Location"] = location
    return Response(status_code=status, content_type=JSON, body=body, headers=headers or None)


def no_content() -> Response[Any]:
    # No body, so no Content-Type (SPEC §7.1: a 204 claiming JSON made clients try to parse nothing).
    return Response(status_code=204, content_type=None, body=None)
