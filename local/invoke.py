"""Calls handlers in-process exactly as API Gateway would: route from template.yaml, a
real-shaped v2 event with the JWT authorizer's claims, a Lambda context. Used by the tests and
by `make bench`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local import template
from local.events import LambdaContext, http_api_event


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    raw: str

    @property
    def etag(self) -> str:
        return self.headers.get("ETag") or self.headers.get("etag") or ""


def _route_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\+?\}", r"(?P<\1>[^/]+)", path) + "$")


class Verbs:
    """``get``/``post``/``put``/``patch``/``delete`` over a client's ``call(method, path, **options)``."""

    call: Callable[..., Reply]

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("POST", path, body=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("PUT", path, body=body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("PATCH", path, body=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.call("DELETE", path, **kwargs)


class Api(Verbs):
    """Calls handlers as API Gateway would: route from the template, claims from the 'token'."""

    def __init__(self) -> None:
        routes = [(route, _route_pattern(route.path), fn) for fn in template.functions()
                  for route in fn.routes if route.path != "$default"]
        # As API Gateway: a static segment wins over a path variable (/customers/match before
        # /customers/{customerId}), left to right.
        self._routes = sorted(routes, key=lambda entry: [not part.startswith("{")
                                                          for part in entry[0].path.strip("/").split("/")],
                              reverse=True)
        self._default = next(
            (fn for fn in template.functions() for r in fn.routes if r.path == "$default"), None
        )

    def call(self, method: str, path: str, *, org: str | None = "acme", role: str = "admin", body: Any = None,
             headers: dict[str, str] | None = None, query: str = "", raw_body: str | None = None,
             claims: dict[str, Any] | None = None) -> Reply:
        headers = dict(headers or {})
        if body is not None or raw_body is not None:
            headers.setdefault("content-type", "application/json")
        text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        if claims is None and org is not None:
            claims = {"sub": f"user-{role}", "org_id": org, "role": role}
        for route, pattern, function in self._routes:
            match = pattern.match(path)
            if route.method == method and match:
                event = http_api_event(
                    method=method, path=path, route_key=f"{method} {route.path}",
                    path_parameters=match.groupdict() or None, query=query, headers=headers, body=text,
                    claims=None if route.public else claims,
                )
                return self._reply(function.load()(event, LambdaContext()))
        assert self._default is not None
        event = http_api_event(method=method, path=path, route_key="$default", query=query, headers=headers,
                               body=text)
        return self._reply(self._default.load()(event, LambdaContext()))

    @staticmethod
    def _reply(response: dict[str, Any]) -> Reply:
        raw = response.get("body") or ""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw
        return Reply(response["statusCode"], dict(response.get("headers") or {}), body, raw)
