"""RFC 9457 problem+json documents and the API Gateway v2 responses that carry them."""

from __future__ import annotations

import json
from typing import Any

from clientele.errors import ClienteleError, error_code

PROBLEM_CONTENT_TYPE = "application/problem+json"
_TYPE_BASE = "https://clientele.dev/problems/"


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": _TYPE_BASE + code, "title": title, "status": status, "detail": detail, "code": code, **extra}


def problem_of(error: ClienteleError) -> dict[str, Any]:
    return problem_body(error.status, error_code(error), error.title, error.detail, **error.extra)


def raw_problem_response(error: ClienteleError) -> dict[str, Any]:
    """A Lambda proxy response for errors raised before the resolver runs (auth, media type)."""
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": PROBLEM_CONTENT_TYPE, **error.headers},
        "body": json.dumps(problem_of(error)),
        "isBase64Encoded": False,
    }
