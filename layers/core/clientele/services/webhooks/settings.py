"""The environment webhooks read (docs/operations.md): set per function by template.yaml in AWS, and by the
local stack from the same template (local/resources.py). Read on each use: a handful of variables."""

from __future__ import annotations

import os
from dataclasses import dataclass

from clientele.domain.webhooks import RETRY_DELAYS_SECONDS


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    delivery_queue_url: str | None
    secrets_key_id: str | None
    # The local stack's loopback exception (SPEC §11). Only local/server.py sets it; template.yaml never does
    # (tests/contract/test_webhooks_template.py).
    allow_local_http: bool
    retry_delays: tuple[int, ...]


def settings() -> WebhookSettings:
    env = os.environ
    delays = env.get("WEBHOOK_RETRY_DELAYS_SECONDS")
    return WebhookSettings(
        delivery_queue_url=env.get("WEBHOOK_DELIVERY_QUEUE_URL") or None,
        secrets_key_id=env.get("WEBHOOK_SECRETS_KEY_ID") or None,
        allow_local_http=env.get("WEBHOOK_ALLOW_LOCAL_HTTP", "").lower() == "true",
        retry_delays=RETRY_DELAYS_SECONDS if delays is None else tuple(
            int(part) for part in delays.split(",") if part.strip()),
    )
