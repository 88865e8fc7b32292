"""Calls handlers in-process exactly as API Gateway would: route from template.yaml, a
real-shaped v2 event with the JWT authorizer's claims, a Lambda context. Used by the tests and
by `make bench`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from local import template
from local.events import LambdaContext, http_api_event
from local.routes import Router


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: Any
    raw: str

    @property
    def etag(self) -> str:
        return self.headers.get("ETag") or self.headers.get("etag") or ""


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
    """Calls handlers as API Gateway would: the gateway's router over the template's routes, claims
    from the 'token'. In this process (the tests' moto, the bench's counters), one module per handler."""

    def __init__(self) -> None:
        self._functions = {function.logical_id: function for function in template.functions()}
        self._router = Router(route for function in self._functions.values() for route in function.routes)

    def call(self, method: str, path: str, *, org: str | None = "acme", role: str = "admin", body: Any = None,
             headers: dict[str, str] | None = None, query: str = "", raw_body: str | None = None,
             claims: dict[str, Any] | None = None) -> Reply:
        headers = dict(headers or {})
        if body is not None or raw_body is not None:
            headers.setdefault("content-type", "application/json")
        text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        if claims is None and org is not None:
            claims = {"sub": f"user-{role}", "org_id": org, "role": role}
        found = self._router.match(method, path)
        assert found is not None, f"no route for {method} {path} and no $default"
        event = http_api_event(
            method=method, path=path, route_key=found.route_key,
            path_parameters=found.path_parameters or None, query=query, headers=headers, body=text,
            claims=None if found.route.public or found.is_default else claims,
        )
        handler = self._functions[found.route.function].load()
        return self._reply(handler(event, LambdaContext()))

    @staticmethod
    def _reply(response: dict[str, Any]) -> Reply:
        raw = response.get("body") or ""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw
        return Reply(response["statusCode"], dict(response.get("headers") or {}), body, raw)
