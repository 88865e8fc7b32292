"""$default — any route the API does not have answers a problem+json 404."""

from typing import Any

from clientele.api.problems import raw_problem_response
from clientele.errors import NotFound


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    http_info = (event.get("requestContext") or {}).get("http") or {}
    method = http_info.get("method", "")
    path = http_info.get("path") or event.get("rawPath", "")
    return raw_problem_response(NotFound(f"There is no route {method} {path}; see /openapi.json."))
