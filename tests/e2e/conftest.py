"""The local stack as a real process: `python -m local.server` on a free port, driven over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
E2E_SECRET = "e2e-local-jwt-secret-0123456789abcdef"
E2E_TABLE = "clientele-e2e"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(port: int) -> dict[str, str]:
    """The developer's environment minus what the unit-test conftest set for in-process moto."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "POWERTOOLS_"))
           and key not in {"TABLE_NAME", "EVENT_BUS_NAME", "CURSOR_SIGNING_KEY", "CURSOR_KEY_SECRET",
                           "LOCAL_JWT_SECRET", "PROVISIONER_FUNCTION"}}
    env.update({"PORT": str(port), "PYTHONUNBUFFERED": "1", "LOCAL_JWT_SECRET": E2E_SECRET,
                "TABLE_NAME": E2E_TABLE})
    # Webhook retries after 1, 2, 4… s instead of 30 s, 2 min…: the tests see a retry without waiting for one
    # (the real schedule is tested in-process, tests/service/test_webhook_delivery.py).
    env["WEBHOOK_RETRY_DELAYS_SECONDS"] = "1,2,4,8,16,32,64,128"
    return env


class ServerProcess:
    """A running `python -m local.server` whose combined output is collected line by line."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.server"], cwd=ROOT, env=server_environment(self.port),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"local.server exited with {self.process.returncode}:\n{self.output}")
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or busy starting
                pass
            time.sleep(0.1)
        raise RuntimeError(f"local.server did not answer /health in {timeout} s:\n{self.output}")

    def wait_for(self, pattern: str, timeout: float = 3.0) -> str:
        """The first output line matching ``pattern`` (a regex), waiting for it to be printed."""
        compiled = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = next((line for line in self.lines if compiled.search(line)), None)
            if found is not None or time.monotonic() > deadline:
                if found is None:
                    raise AssertionError(f"no output line matches {pattern!r}:\n{self.output}")
                return found
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=2)
        return int(self.process.returncode)


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
        return re.search(r"DynamoDB\s+(http://\S+)", self.server.output).group(1)  # type: ignore[union-attr]

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
        kwargs.setdefault("timeout", 15)
        return (session or self.session).request(method, self.url + path, headers=all_headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def type_ids(self, org: str) -> dict[str, str]:
        """The org's customer types by name: GET /customer-types, or straight from the embedded
        table when that route is not there yet (the first authenticated request provisions)."""
        reply = self.get("/customer-types", org=org)
        if reply.status_code == 200:
            return {item["name"]: item["id"] for item in reply.json()["items"]}
        assert self.get("/customers", org=org).status_code == 200  # provisions the org
        import boto3

        client = boto3.client("dynamodb", endpoint_url=self.aws_endpoint, region_name="us-east-1",
                              aws_access_key_id="local", aws_secret_access_key="local")
        items = client.query(
            TableName=E2E_TABLE,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
            ExpressionAttributeValues={":pk": {"S": f"ORG#{org}"}, ":sk": {"S": "TAX#type#"}},
        )["Items"]
        return {item["name"]["S"]: item["id"]["S"] for item in items}

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
