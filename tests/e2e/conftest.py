"""The local stack as a real process: `python -m local.server` on a free port, driven over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from local import launch

E2E_SECRET = "e2e-local-jwt-secret-0123456789abcdef"
E2E_TABLE = "clientele-e2e"


class ServerProcess(launch.ServerProcess):
    """The e2e stack: its own table name and the secret the tests mint tokens with."""

    def __init__(self, port: int | None = None) -> None:
        # Webhook retries after 1, 2, 4… s instead of 30 s, 2 min…: the tests see a retry without waiting for one
        # (the real schedule is tested in-process, tests/service/test_webhook_delivery.py).
        super().__init__(port, {"LOCAL_JWT_SECRET": E2E_SECRET, "TABLE_NAME": E2E_TABLE,
                                "WEBHOOK_RETRY_DELAYS_SECONDS": "1,2,4,8,16,32,64,128"})


@dataclass
class Stack:
    """A small HTTP client for the running stack; tokens are minted with the stack's secret."""

    server: ServerProcess
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def aws_endpoint(self) -> str:
        found = re.search(r"DynamoDB\s+(http://\S+)", self.server.output)
        assert found is not None, f"the greeting names no DynamoDB endpoint:\n{self.server.output}"
        return found.group(1)

    def token(self, org: str = "acme", role: str = "admin", **kwargs: Any) -> str:
        from local import token

        return token.mint(org, role, key=E2E_SECRET, **kwargs)

    def auth(self, org: str = "acme", role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(org, role)}"}

    def request(self, method: str, path: str, *, org: str | None = "acme", role: str = "admin",
                headers: dict[str, str] | None = None, session: requests.Session | None = None,
                **kwargs: Any) -> requests.Response:
        all_headers = self.auth(org, role) if org is not None else {}
        all_headers.update(headers or {})
        kwargs.setdefault("timeout", launch.REQUEST_TIMEOUT)
        return (session or self.session).request(method, self.url + path, headers=all_headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def type_ids(self, org: str) -> dict[str, str]:
        """The org's customer types by name (the first request provisions the org)."""
        reply = self.get("/customer-types", org=org)
        assert reply.status_code == 200, reply.text
        return {item["name"]: item["id"] for item in reply.json()["items"]}

    def create_customer(self, org: str = "acme", **fields: Any) -> requests.Response:
        body = {"companyName": "Acme Hotels", "customerTypeId": self.type_ids(org)["Commercial"], **fields}
        return self.post("/customers", org=org, role="editor", json=body)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    server = ServerProcess()
    try:
        server.wait_ready()
        client = Stack(server)
        yield client
        client.session.close()
    finally:
        server.stop()
