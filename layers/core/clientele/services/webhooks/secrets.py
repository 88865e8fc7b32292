"""Signing secrets: made here, shown to the caller once, stored only as KMS ciphertexts.

Each secret is encrypted directly with the stack's KMS key (``Encrypt`` takes up to 4 KB, a secret is 43
characters, so no envelope is needed) under an encryption context naming the org and the subscription:
a ciphertext copied to another subscription or org does not decrypt. Deliveries decrypt on use and keep
the plaintext in this container's memory only, for a few minutes (docs/decisions.md).
"""

from __future__ import annotations

import secrets as random_source
import threading
import time
from typing import Any

from clientele import aws
from clientele.errors import ServiceUnavailable
from clientele.services.webhooks.settings import settings

PREFIX = "whsec_"
_CACHE_SECONDS = 300
_cache: dict[bytes, tuple[float, str]] = {}
_lock = threading.Lock()


def new_secret() -> str:
    return PREFIX + random_source.token_urlsafe(32)


def _context(org: str, webhook_id: str) -> dict[str, str]:
    return {"org": org, "webhookId": webhook_id}


def _key_id() -> str:
    key_id = settings().secrets_key_id
    if not key_id:
        raise ServiceUnavailable("Webhook secrets cannot be stored: WEBHOOK_SECRETS_KEY_ID is not configured.")
    return key_id


def encrypt(org: str, webhook_id: str, secret: str) -> bytes:
    response: dict[str, Any] = aws.client("kms").encrypt(KeyId=_key_id(), Plaintext=secret.encode(),
                                                          EncryptionContext=_context(org, webhook_id))
    return bytes(response["CiphertextBlob"])


def decrypt(org: str, webhook_id: str, ciphertext: bytes) -> str:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(ciphertext)
    if cached is not None and cached[0] > now:
        return cached[1]
    response: dict[str, Any] = aws.client("kms").decrypt(KeyId=_key_id(), CiphertextBlob=ciphertext,
                                                          EncryptionContext=_context(org, webhook_id))
    plaintext = bytes(response["Plaintext"]).decode()
    with _lock:
        if len(_cache) > 1000:  # drop what has expired; a container serves a bounded set of subscriptions
            for stale in [blob for blob, (until, _) in _cache.items() if until <= now]:
                del _cache[stale]
        _cache[ciphertext] = (now + _CACHE_SECONDS, plaintext)
    return plaintext
