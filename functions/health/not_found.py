"""$default — a request no route takes: 405 ``method_not_allowed`` with ``Allow`` when the path is
known (another method serves it), else a problem+json 404.

API Gateway sends every unmatched method + path here, so this is where 405 can be answered in AWS.
The route table is the committed OpenAPI document beside this module (same CodeUri); a contract
test keeps that document equal to the template's routes, so the two cannot drift.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from clientele.api.problems import raw_problem_response
from clientele.errors import MethodNotAllowed, NotFound

_DOCUMENT = Path(__file__).with_name("openapi.json")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@cache
def _routes() -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    """(path pattern, methods) for every documented path; ``{param}`` matches one segment, like
    API Gateway's route keys."""
    paths: dict[str, Any] = json.loads(_DOCUMENT.read_text(encoding="utf-8"))["paths"]
    routes = []
    for path, item in paths.items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
        methods = frozenset(method.upper() for method in item if method.upper() in _METHODS)
        routes.append((re.compile(pattern), methods))
    return tuple(routes)


def allowed_methods(path: str) -> list[str]:
    """The methods some route serves on ``path`` (empty: the path is unknown)."""
    methods: set[str] = set()
    for pattern, served in _routes():
        if pattern.fullmatch(path):
            methods |= served
    return [method for method in _METHODS if method in methods]


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    http_info = (event.get("requestContext") or {}).get("http") or {}
    method = http_info.get("method", "")
    path = http_info.get("path") or event.get("rawPath", "")
    allowed = allowed_methods(path)
    if allowed and method.upper() not in allowed:
        return raw_problem_response(MethodNotAllowed(
            f"{path} does not take {method}; it takes {', '.join(allowed)}.", allowed))
    return raw_problem_response(NotFound(f"There is no route {method} {path}; see /openapi.json."))
