"""Runtime configuration, read once and lazily from the environment.

A frozen dataclass instead of pydantic-settings: the latter adds ~120 ms to every cold start
(measured by `make bench`), and these few strings need no coercion beyond ``int``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Config:
    table_name: str
    event_bus_name: str
    cursor_key: str | None
    cursor_key_secret: str | None
    local_jwt_secret: str | None
    max_json_body_bytes: int
    qbo_webhook_verifier_secret: str | None
    qbo_webhook_verifier_token: str
    imports_bucket: str
    client_read_timeout_seconds: float


@cache
def config() -> Config:
    env = os.environ
    return Config(
        table_name=env.get("TABLE_NAME", "clientele"),
        event_bus_name=env.get("EVENT_BUS_NAME", "clientele"),
        cursor_key=env.get("CURSOR_SIGNING_KEY") or None,
        cursor_key_secret=env.get("CURSOR_KEY_SECRET") or None,
        local_jwt_secret=env.get("LOCAL_JWT_SECRET") or None,
        max_json_body_bytes=int(env.get("MAX_JSON_BODY_BYTES", str(256 * 1024))),
        qbo_webhook_verifier_secret=env.get("QBO_WEBHOOK_VERIFIER_SECRET") or None,
        qbo_webhook_verifier_token=env.get("QBO_WEBHOOK_VERIFIER_TOKEN") or "local-verifier-token",
        imports_bucket=env.get("IMPORTS_BUCKET", "clientele-imports"),
        # How long an AWS call may wait for its answer before botocore retries it. DynamoDB answers in
        # milliseconds, so 5 s is already long; the local stack, whose one moto answers one request at a
        # time on a shared machine, sets more (local/server.py).
        client_read_timeout_seconds=float(env.get("CLIENT_READ_TIMEOUT_SECONDS", "5")),
    )


def reset_config() -> None:
    """Forget the cached configuration (tests and the local stack change the environment)."""
    config.cache_clear()
