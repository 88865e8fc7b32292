"""The API specification tests over real HTTP: the same calls as ``local.invoke.Api`` (which invokes
handlers in-process), sent to a running local stack (``python -m local.server``, as ``make dev``).

Every test gets organisations of its own: the org names a test uses ("acme", "globex") are
suffixed with a per-test nonce in the token, so tests sharing one stack never see each other's data,
exactly as if each had a fresh table.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from requests.structures import CaseInsensitiveDict

from local.invoke import Reply, Verbs
from local.launch import REQUEST_TIMEOUT
from tests.e2e.conftest import Stack


class HttpApi(Verbs):
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.nonce = uuid.uuid4().hex[:10]

    def org(self, name: str) -> str:
        return f"{name}-{self.nonce}"

    def call(self, method: str, path: str, *, org: str | None = "acme", role: str = "admin", body: Any = None,
             headers: dict[str, str] | None = None, query: str = "", raw_body: str | None = None,
             claims: dict[str, Any] | None = None) -> Reply:
        from local import token

        sent: dict[str, str] = dict(headers or {})
        sends_body = body is not None or raw_body is not None
        if sends_body and not any(name.lower() == "content-type" for name in sent):
            sent["Content-Type"] = "application/json"
        text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        if claims is not None:
            claims = {**claims, **({"org_id": self.org(claims["org_id"])} if isinstance(claims.get("org_id"), str)
                                   else {})}
            extra = {k: v for k, v in claims.items() if k not in {"org_id", "role", "sub"}}
            minted = token.mint(claims.get("org_id"), claims.get("role"), subject=claims.get("sub"),  # type: ignore[arg-type]
                                key=self.stack_secret, **extra)
            sent.setdefault("Authorization", f"Bearer {minted}")
        elif org is not None:
            sent.setdefault("Authorization", f"Bearer {token.mint(self.org(org), role, key=self.stack_secret)}")
        url = self.stack.url + path + (f"?{query}" if query else "")
        data = text.encode("utf-8") if text is not None else None
        response = self.stack.session.request(method, url, headers=sent, data=data, timeout=REQUEST_TIMEOUT)
        raw = response.text
        try:
            parsed = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            parsed = raw
        return Reply(response.status_code, CaseInsensitiveDict(response.headers), parsed, raw)

    @property
    def stack_secret(self) -> str:
        from tests.e2e.conftest import E2E_SECRET

        return E2E_SECRET
