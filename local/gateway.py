"""The local HTTP API: what API Gateway (HTTP API, payload 2.0, JWT authorizer) and Lambda do in
front of the handlers, done in-process over plain WSGI.

- Routes come from template.yaml (``local.template``); the most specific route wins (static
  segments before ``{params}``, greedy ``{proxy+}`` last), anything else goes to ``$default``.
- Protected routes need ``Authorization: Bearer <jwt>``, verified like the JWT authorizer would
  (HS256 with LOCAL_JWT_SECRET, expiry checked); a missing or bad token is a 401 problem+json and
  the handler never runs. Claims reach the handler at ``requestContext.authorizer.jwt.claims``,
  as strings, exactly where API Gateway puts them. Public routes (``Auth: {Authorizer: NONE}``)
  get no claims.
- CORS preflights are answered from the template's ``CorsConfiguration``; responses to requests
  with an ``Origin`` get the allow/expose headers, as API Gateway adds them.
- Bodies over 10 MB are refused with 413, like API Gateway; an event over Lambda's 6 MB
  synchronous limit is refused too.
- Each function is a pool of "containers" (one loaded copy of its handler module each). A
  container serves one request at a time, as in Lambda; concurrent requests get more containers.
- One line per request: method, path, status, milliseconds and the DynamoDB calls it made.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from werkzeug.wrappers import Request, Response

from local import template
from local.events import http_api_event

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT / "layers" / "core", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from clientele import aws  # noqa: E402
from clientele.api.problems import PROBLEM_CONTENT_TYPE, problem_body  # noqa: E402

API_GATEWAY_MAX_BODY = 10 * 1024 * 1024  # HTTP API payload quota
LAMBDA_MAX_PAYLOAD = 6 * 1024 * 1024  # synchronous invocation, request and response
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

_UUID = re.compile(r"([0-9a-fA-F]{8})-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


# ----------------------------------------------------------------------------- console


_console_lock = threading.Lock()


def emit(line: str) -> None:
    """Write one whole line to stdout (request threads and pollers share it)."""
    with _console_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def short_path(path: str) -> str:
    """UUIDs cut to their first 8 characters, so a request line stays readable."""
    return _UUID.sub(lambda match: match.group(1) + "…", path)


def summarise_calls(calls: Iterable[str]) -> str:
    """``['GetItem', 'Query', 'Query']`` → ``3 ddb (GetItem, Query x2)``."""
    counts: dict[str, int] = {}
    for name in calls:
        counts[name] = counts.get(name, 0) + 1
    total = sum(counts.values())
    if not total:
        return "0 ddb"
    names = ", ".join(name if n == 1 else f"{name} x{n}" for name, n in counts.items())
    return f"{total} ddb ({names})"


# ----------------------------------------------------------------------------- Lambda


class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    def __init__(self, function_name: str, memory_mb: int, timeout_s: float) -> None:
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
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class Invocation:
    result: Any
    error: BaseException | None
    milliseconds: float
    calls: list[str]


def _function_settings(logical_id: str) -> tuple[float, int]:
    """(timeout seconds, memory MB) from the function's properties or the template's Globals."""
    loaded = template.load_template()
    globals_ = ((loaded.get("Globals") or {}).get("Function")) or {}
    props = loaded["Resources"].get(logical_id, {}).get("Properties") or {}
    timeout = props.get("Timeout", globals_.get("Timeout", 3))
    memory = props.get("MemorySize", globals_.get("MemorySize", 128))
    return (float(timeout) if isinstance(timeout, int | float) else 3.0,
            int(memory) if isinstance(memory, int) else 128)


class LocalFunction:
    """One function of the template, run like Lambda runs it: a pool of single-request containers."""

    def __init__(self, spec: template.Function) -> None:
        self.spec = spec
        self.name = spec.logical_id
        self.timeout, self.memory = _function_settings(spec.logical_id)
        self._idle: list[Handler] = []
        self._lock = threading.Lock()
        self._containers = 0

    @property
    def containers(self) -> int:
        return self._containers

    def preload(self) -> None:
        """Import the handler (the first container's cold start) so import errors show at start."""
        with self._lock:
            if self._containers:
                return
            self._containers = 1
        try:
            handler = self.spec.load()
        except BaseException:
            with self._lock:
                self._containers -= 1
            raise
        with self._lock:
            self._idle.append(handler)

    def _acquire(self) -> Handler:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            number = self._containers
            self._containers += 1
        try:
            return self.spec.load() if number == 0 else self._load_copy(number)
        except BaseException:
            with self._lock:
                self._containers -= 1
            raise

    def _release(self, handler: Handler) -> None:
        with self._lock:
            self._idle.append(handler)

    def _load_copy(self, number: int) -> Handler:
        """A fresh copy of the handler module: its own resolver and module state, like a new
        container; the shared package (the layer) stays shared, as in one process it must."""
        found = importlib.util.find_spec(self.spec.module_name)
        if found is None or found.origin is None:
            raise ImportError(f"cannot find {self.spec.module_name}")
        name = f"{self.spec.module_name}__container{number}"
        spec = importlib.util.spec_from_file_location(name, found.origin)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {found.origin}")
        module: ModuleType = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        handler: Handler = getattr(module, self.spec.handler_name)
        return handler

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """Run the handler on one event in this thread, counting its DynamoDB calls."""
        calls = aws.start_counting_dynamodb_calls()
        started = time.perf_counter()
        try:
            handler = self._acquire()
        except Exception as exc:  # an init error: Lambda reports it as a function error
            return Invocation(None, exc, (time.perf_counter() - started) * 1000, calls)
        try:
            result = handler(event, LambdaContext(self.name, self.memory, self.timeout))
            error: BaseException | None = None
        except Exception as exc:
            result, error = None, exc
        finally:
            self._release(handler)
        elapsed = (time.perf_counter() - started) * 1000
        if elapsed > self.timeout * 1000:
            emit(f"WARNING {self.name} ran {elapsed:.0f} ms; Lambda would have stopped it at "
                 f"{self.timeout:.0f} s")
        return Invocation(result, error, elapsed, calls)


class Runtime:
    """Every function of the template, by logical id."""

    def __init__(self, specs: Iterable[template.Function] | None = None) -> None:
        self.functions = {spec.logical_id: LocalFunction(spec)
                          for spec in (specs if specs is not None else template.functions())}

    def __getitem__(self, logical_id: str) -> LocalFunction:
        return self.functions[logical_id]

    def preload(self, logical_ids: Iterable[str] | None = None) -> dict[str, BaseException]:
        """Import handlers up front; returns the ones that failed (they answer 500 when called)."""
        failures: dict[str, BaseException] = {}
        for logical_id in logical_ids if logical_ids is not None else self.functions:
            try:
                self.functions[logical_id].preload()
            except Exception as exc:
                failures[logical_id] = exc
        return failures


# ----------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class _CompiledRoute:
    route: template.Route
    pattern: re.Pattern[str]
    rank: tuple[Any, ...]


def _compile(route: template.Route) -> _CompiledRoute:
    parts: list[str] = []
    statics: list[bool] = []
    greedy = False
    for segment in route.path.strip("/").split("/"):
        match = re.fullmatch(r"\{(\w+)(\+?)\}", segment)
        if match and match.group(2):
            parts.append(f"(?P<{match.group(1)}>.+)")
            statics.append(False)
            greedy = True
        elif match:
            parts.append(f"(?P<{match.group(1)}>[^/]+)")
            statics.append(False)
        else:
            parts.append(re.escape(segment))
            statics.append(True)
    pattern = re.compile("^/" + "/".join(parts) + "$")
    # Higher ranks win: no greedy variable, then static segments left to right, then an exact
    # method over ANY.
    rank = (not greedy, tuple(statics), route.method != "ANY")
    return _CompiledRoute(route, pattern, rank)


@dataclass(frozen=True)
class RouteMatch:
    route: template.Route
    path_parameters: dict[str, str]

    @property
    def route_key(self) -> str:
        return "$default" if self.route.path == "$default" else f"{self.route.method} {self.route.path}"


class Router:
    """API Gateway's route selection: the most specific matching route, else ``$default``."""

    def __init__(self, routes: Iterable[template.Route]) -> None:
        routes = list(routes)
        self._routes = [_compile(route) for route in routes if route.path != "$default"]
        self.default = next((route for route in routes if route.path == "$default"), None)

    def match(self, method: str, path: str) -> RouteMatch | None:
        best: tuple[_CompiledRoute, dict[str, str]] | None = None
        for compiled in self._routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            found = compiled.pattern.match(path)
            if found and (best is None or compiled.rank > best[0].rank):
                best = (compiled, found.groupdict())
        if best is not None:
            return RouteMatch(best[0].route, best[1])
        return RouteMatch(self.default, {}) if self.default is not None else None


# ----------------------------------------------------------------------------- CORS


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_template(cls) -> Cors:
        for resource in template.load_template()["Resources"].values():
            if resource.get("Type") == "AWS::Serverless::HttpApi":
                config = (resource.get("Properties") or {}).get("CorsConfiguration") or {}
                if not isinstance(config, Mapping):
                    continue
                max_age = config.get("MaxAge")
                return cls(
                    allow_origins=tuple(template.resolve(config.get("AllowOrigins")) or ()),
                    allow_headers=tuple(config.get("AllowHeaders") or ()),
                    allow_methods=tuple(config.get("AllowMethods") or ()),
                    expose_headers=tuple(config.get("ExposeHeaders") or ()),
                    max_age=int(max_age) if isinstance(max_age, int) else None,
                    allow_credentials=bool(config.get("AllowCredentials")),
                )
        return cls()

    @property
    def enabled(self) -> bool:
        return bool(self.allow_origins)

    def allowed_origin(self, origin: str | None) -> str | None:
        if not origin or not self.enabled:
            return None
        if "*" in self.allow_origins:
            return origin if self.allow_credentials else "*"
        return origin if origin in self.allow_origins else None

    def response_headers(self, origin: str | None) -> dict[str, str]:
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return {}
        headers = {"Access-Control-Allow-Origin": allowed}
        if self.expose_headers:
            headers["Access-Control-Expose-Headers"] = ", ".join(self.expose_headers)
        if self.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        if allowed != "*":
            headers["Vary"] = "Origin"
        return headers

    def preflight_headers(self, origin: str | None) -> dict[str, str]:
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return {}
        headers = {"Access-Control-Allow-Origin": allowed}
        if self.allow_methods:
            headers["Access-Control-Allow-Methods"] = ", ".join(self.allow_methods)
        if self.allow_headers:
            headers["Access-Control-Allow-Headers"] = ", ".join(self.allow_headers)
        if self.max_age is not None:
            headers["Access-Control-Max-Age"] = str(self.max_age)
        if self.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        if allowed != "*":
            headers["Vary"] = "Origin"
        return headers


# ----------------------------------------------------------------------------- the gateway


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
            emit(f"ERROR {logical_id}: {type(error).__name__}: {error}")
            traceback.print_exception(error)
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
