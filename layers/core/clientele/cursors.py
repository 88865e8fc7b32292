"""Opaque, tamper-proof, org-bound list cursors: HMAC-SHA256 over (org, scope, position)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import cache
from typing import Any

from clientele.config import config
from clientele.errors import BadCursor

_DEV_KEY = "clientele-local-cursor-key"


@cache
def _signing_key() -> bytes:
    settings = config()
    if settings.cursor_key:
        return settings.cursor_key.encode()
    if settings.cursor_key_secret:
        # Powertools caches the secret; imported here so list handlers alone pay for it.
        from aws_lambda_powertools.utilities import parameters

        value = parameters.get_secret(settings.cursor_key_secret, max_age=3600)
        return str(value).encode()
    return _DEV_KEY.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(org: str, scope: str, position: dict[str, Any] | None) -> str | None:
    if not position:
        return None
    payload = json.dumps({"o": org, "s": scope, "p": position}, separators=(",", ":"), sort_keys=True).encode()
    signature = hmac.new(_signing_key(), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def decode(org: str, scope: str, cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        payload_text, signature_text = cursor.split(".")
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
    except (ValueError, TypeError) as exc:
        raise BadCursor("The cursor is not one this API issued; start again without it.") from exc
    expected = hmac.new(_signing_key(), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise BadCursor("The cursor is not one this API issued; start again without it.")
    data = json.loads(payload)
    if data.get("o") != org or data.get("s") != scope:
        raise BadCursor("The cursor belongs to another list or query; start again without it.")
    position = data.get("p")
    if not isinstance(position, dict):
        raise BadCursor("The cursor is not one this API issued; start again without it.")
    return position
