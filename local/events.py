"""Real-shaped API Gateway HTTP API (payload v2.0) events, as the JWT authorizer delivers them."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


def http_api_event(
    *,
    method: str,
    path: str,
    route_key: str,
    path_parameters: dict[str, str] | None = None,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    headers = {key.lower(): value for key, value in (headers or {}).items()}
    query_parameters: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        # API Gateway joins repeated query parameters with commas.
        query_parameters[key] = f"{query_parameters[key]},{value}" if key in query_parameters else value
    now = time.time()
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": "local",
        "domainName": headers.get("host", "127.0.0.1"),
        "domainPrefix": "local",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                 "userAgent": headers.get("user-agent", "")},
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": request_context,
        "isBase64Encoded": False,
    }
    if query_parameters:
        event["queryStringParameters"] = query_parameters
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = body
    return event


class LambdaContext:
    """The Lambda context object, with the attributes handlers and Powertools read. One class for
    the local stack's containers, ``local.invoke``, the tests and the bench."""

    def __init__(self, function_name: str = "local", memory_mb: int = 512, timeout_seconds: float = 10.0) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local/[$LATEST]local"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
