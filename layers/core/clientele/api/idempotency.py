"""Idempotency-Key for creating POSTs, on Powertools' idempotency utility.

Applied by the creating handler around its one service call (``created``), after the entrypoint
authenticated and authorised the caller and Powertools validated the body, over ``{key, body}``
with the record under ``ORG#<org>#IDEMPOTENCY`` (``clientele.store.idempotency``): keys are per
organisation, a keyless request is never deduplicated, only successful results are stored
(Powertools deletes the record when the function raises), and the same key with another body is a 409.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response

from clientele.errors import Conflict, ValidationFailed
from clientele.store import idempotency as idempotency_store

T = TypeVar("T")
MAX_KEY_LENGTH = 255
# 1..255 visible ASCII characters: what the OpenAPI document states for the header (SPEC §7.1).
KEY_PATTERN = re.compile(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}")
TTL_SECONDS = 24 * 60 * 60


@cache
def _config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=TTL_SECONDS,
        raise_on_no_idempotency_key=True,
    )


def canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


def once(org: str, operation: str, key: str | None, body: Any, produce: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``produce`` once per (org, operation, key); a retry with the same body gets the first result."""
    if key is None:
        return produce()
    key = key.strip()
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationFailed.of("Idempotency-Key", f"Use 1..{MAX_KEY_LENGTH} visible characters.")

    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    from clientele.api.auth import current_lambda_context

    idempotency_config = _config()
    lambda_context = current_lambda_context()
    if lambda_context is not None:
        idempotency_config.register_lambda_context(lambda_context)

    @idempotent_function(
        data_keyword_argument="request",
        persistence_store=idempotency_store.persistence_layer(org, operation),
        config=idempotency_config,
        key_prefix=operation,
    )
    def run(request: dict[str, Any]) -> dict[str, Any]:
        return produce()

    try:
        result: dict[str, Any] = run(request={"key": key, "body": canonical(body)})
    except IdempotencyValidationError as exc:
        raise Conflict("idempotency_conflict",
                       "This Idempotency-Key was used with a different body; use a new key.") from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict("idempotency_conflict",
                       "A request with this Idempotency-Key is still in progress; retry shortly.") from exc
    return result


def created(operation: str, key: str | None, request: Any, create: Callable[[str], dict[str, Any]],
            location: Callable[[dict[str, Any]], str],
            shown: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None) -> Response[Any]:
    """A POST that creates: ``create(org)`` runs once per Idempotency-Key (a retry with the same
    ``request`` gets the first answer) and the answer is 201 with its ``Location`` and ``ETag``.
    ``shown(org, answer)``: what the client sees of the remembered answer (a webhook's secret is kept
    encrypted in the idempotency record and shown decrypted)."""
    from clientele.api import http

    org = http.principal().org
    body = once(org, operation, key, request, lambda: create(org))
    visible = shown(org, body) if shown is not None else body
    return http.json_response(visible, 201, version=body["version"], location=location(body))
