"""The local HTTP API: what API Gateway (HTTP API, payload 2.0, JWT authorizer) does in front of
the functions, as a WSGI app. The functions run in ``local.runtime``'s containers.

- Routes come from template.yaml (``local.routes``); the most specific route wins, anything else
  goes to ``$default``.
- Protected routes need ``Authorization: Bearer <jwt>``, verified like the JWT authorizer would
  (HS256 with LOCAL_JWT_SECRET, expiry checked); a missing or bad token is a 401 problem+json and
  the handler never runs. Claims reach the handler at ``requestContext.authorizer.jwt.claims``,
  as strings, exactly where API Gateway puts them. Public routes (``Auth: {Authorizer: NONE}``)
  get no claims.
- CORS preflights are answered from the template's ``CorsConfiguration`` (``local.cors``);
  responses to requests with an ``Origin`` get the allow/expose headers, as API Gateway adds them.
- Bodies over 10 MB are refused with 413, like API Gateway; an event over Lambda's 6 MB
  synchronous limit is refused too.
- One line per request: method, path, status, milliseconds and the DynamoDB calls it made.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from local.console import emit, short_path, summarise_calls
from local.cors import Cors
from local.events import http_api_event
from local.routes import RouteMatch, Router
from local.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT / "layers" / "core", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# The gateway's own answers (401, 404, 413) are the API's problem+json; this process never runs a
# handler, so importing the layer here shares nothing with the containers.
from clientele.api.problems import PROBLEM_CONTENT_TYPE, problem_body  # noqa: E402

API_GATEWAY_MAX_BODY = 10 * 1024 * 1024  # HTTP API payload quota
LAMBDA_MAX_PAYLOAD = 6 * 1024 * 1024  # synchronous invocation, request and response


def _claim_string(value: Any) -> str:
    """HTTP API hands claims over as strings: numbers as digits, arrays as ``[a b]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_claim_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


@dataclass
class Outcome:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    function: str | None = None
    calls: list[str] = field(default_factory=list)
    note: str = ""
    preflight: bool = False


def _problem(status: int, code: str, title: str, detail: str,
             headers: Mapping[str, str] | None = None) -> Outcome:
    body = json.dumps(problem_body(status, code, title, detail)).encode()
    return Outcome(status, [("Content-Type", PROBLEM_CONTENT_TYPE), *(headers or {}).items()], body)


_DRAIN_LIMIT = 64 * 1024 * 1024


def _drain(request: Request, length: int) -> None:
    """Read and drop a refused body, so the client sees our 413 rather than a reset connection."""
    remaining = min(length, _DRAIN_LIMIT)
    while remaining > 0:
        chunk = request.stream.read(min(remaining, 1024 * 1024))
        if not chunk:
            return
        remaining -= len(chunk)


def _aws_error(status: int, message: str) -> Outcome:
    """The bodies API Gateway itself sends when the integration fails (not our problem+json)."""
    return Outcome(status, [("Content-Type", "application/json")], json.dumps({"message": message}).encode())


class Gateway:
    """A WSGI app that behaves like the deployed HTTP API in front of the template's functions."""

    def __init__(self, runtime: Runtime, *, cors: Cors | None = None, jwt_secret: str | None = None,
                 log: Callable[[str], None] = emit) -> None:
        self.runtime = runtime
        self.router = Router(route for fn in runtime.functions.values() for route in fn.spec.routes)
        self.cors = cors if cors is not None else Cors.from_template()
        self._jwt_secret = jwt_secret
        self._log = log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        try:
            outcome = self.handle(request)
        except Exception:  # the gateway itself failed: say so loudly, answer like API Gateway
            traceback.print_exc()
            outcome = _aws_error(500, "Internal Server Error")
        elapsed = (time.perf_counter() - started) * 1000
        headers = list(outcome.headers)
        if not outcome.preflight:
            headers.extend(self.cors.response_headers(request.headers.get("Origin")).items())
        if not any(name.lower() == "apigw-requestid" for name, _ in headers):
            headers.append(("Apigw-Requestid", request_id))
        response = Response(outcome.body, status=outcome.status)
        response.headers.clear()
        for name, value in headers:
            response.headers.add(name, value)
        self._log_request(request, outcome, elapsed)
        return response(environ, start_response)

    # -- the steps API Gateway takes, in its order

    def handle(self, request: Request) -> Outcome:
        method = request.method.upper()
        length = request.content_length
        if length is not None and length > API_GATEWAY_MAX_BODY:
            _drain(request, length)
            return self._too_large(f"The request body is {length} bytes; the API accepts at most "
                                   f"{API_GATEWAY_MAX_BODY} (10 MB).")
        body = request.stream.read(API_GATEWAY_MAX_BODY + 1)
        if len(body) > API_GATEWAY_MAX_BODY:
            _drain(request, _DRAIN_LIMIT)
            return self._too_large(f"The request body exceeds {API_GATEWAY_MAX_BODY} bytes (10 MB).")

        if (method == "OPTIONS" and self.cors.enabled and request.headers.get("Origin")
                and request.headers.get("Access-Control-Request-Method")):
            headers = list(self.cors.preflight_headers(request.headers.get("Origin")).items())
            return Outcome(204, headers, b"", note="CORS preflight", preflight=True)

        path = request.path
        found = self.router.match(method, path)
        if found is None:
            return _problem(404, "not_found", "Not found", f"There is no route {method} {path}.")

        claims: dict[str, Any] | None = None
        if not found.route.public:
            verified = self._verify(request.headers.get("Authorization"))
            if isinstance(verified, Outcome):
                return verified
            claims = verified

        event = self._event(request, found, body, claims)
        return self._invoke(found.route.function, event)

    def _too_large(self, detail: str) -> Outcome:
        return _problem(413, "payload_too_large", "Payload too large", detail)

    def _verify(self, header: str | None) -> dict[str, Any] | Outcome:
        import jwt

        from local import token

        scheme, _, value = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return _problem(401, "unauthorized", "Authentication required",
                            "Send 'Authorization: Bearer <token>' (run `make token` for a local one).",
                            {"WWW-Authenticate": "Bearer"})
        try:
            claims = token.verify(value.strip(), key=self._jwt_secret)
        except jwt.PyJWTError as exc:
            return _problem(401, "unauthorized", "Authentication required",
                            f"The bearer token is not valid: {exc}.",
                            {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return {name: _claim_string(value) for name, value in claims.items()}

    def _event(self, request: Request, found: RouteMatch, body: bytes,
               claims: dict[str, Any] | None) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        cookie = headers.pop("cookie", None)
        source_ip = request.remote_addr or "127.0.0.1"
        headers.setdefault("x-forwarded-for", source_ip)
        headers.setdefault("x-forwarded-proto", request.scheme)
        headers.setdefault("x-forwarded-port", str(request.environ.get("SERVER_PORT", "")))
        headers.setdefault("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}")
        text: str | None = None
        encoded = False
        if body:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text, encoded = base64.b64encode(body).decode("ascii"), True
        event = http_api_event(
            method=request.method.upper(),
            path=request.path,
            route_key=found.route_key,
            path_parameters=found.path_parameters or None,
            query=request.query_string.decode("latin-1"),
            headers=headers,
            body=text,
            claims=claims,
        )
        event["requestContext"]["http"]["sourceIp"] = source_ip
        event["isBase64Encoded"] = encoded
        if cookie:
            event["cookies"] = [part.strip() for part in cookie.split(";") if part.strip()]
        return event

    def _invoke(self, logical_id: str, event: dict[str, Any]) -> Outcome:
        function = self.runtime[logical_id]
        if len(json.dumps(event)) > LAMBDA_MAX_PAYLOAD:
            return self._too_large("The request is larger than a Lambda function accepts (6 MB).")
        invocation = function.invoke(event)
        if invocation.error is not None:
            error = invocation.error
            emit(f"ERROR {logical_id}: {error.error_type}: {error}")
            if error.trace:
                emit(error.trace.rstrip("\n"))
            outcome = _aws_error(500, "Internal Server Error")
        else:
            outcome = self._response(invocation.result)
        outcome.function = logical_id
        outcome.calls = invocation.calls
        return outcome

    def _response(self, result: Any) -> Outcome:
        """A payload 2.0 Lambda result as API Gateway turns it into HTTP."""
        if not isinstance(result, dict) or "statusCode" not in result:
            # Format 2.0 lets a function return any JSON value: 200 with it as the body.
            payload = json.dumps(result).encode()
            return Outcome(200, [("Content-Type", "application/json")], payload)
        raw_body = result.get("body")
        body: bytes
        if raw_body is None:
            body = b""
        elif result.get("isBase64Encoded"):
            body = base64.b64decode(str(raw_body))
        else:
            body = str(raw_body).encode("utf-8")
        if len(body) > LAMBDA_MAX_PAYLOAD:
            emit(f"WARNING response of {len(body)} bytes exceeds Lambda's 6 MB limit")
            return _aws_error(500, "Internal Server Error")
        headers: list[tuple[str, str]] = []
        for name, value in (result.get("headers") or {}).items():
            headers.append((str(name), str(value)))
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((str(name), str(value)) for value in values)
        headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or ())
        if body and not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", "application/json"))
        try:
            status = int(result["statusCode"])
        except (TypeError, ValueError):
            return _aws_error(500, "Internal Server Error")
        return Outcome(status, headers, body)

    def _log_request(self, request: Request, outcome: Outcome, elapsed: float) -> None:
        detail = outcome.note or summarise_calls(outcome.calls)
        self._log(f"{request.method.upper():<7} {short_path(request.path):<44} {outcome.status}  "
                  f"{elapsed:7.1f} ms  {detail}")
