"""Webhook subscriptions (SPEC §11): create with a secret shown once, read, change, delete, rotate the secret.

A subscription is a versioned resource (``ETag``/``If-Match`` on PATCH and DELETE). Its URL is checked on
every create and change (``domain.webhook_urls`` and the addresses its host resolves to now); deliveries
check again (``services.webhooks.delivery``).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from clientele import clock, retries
from clientele.domain.fields import clean_text
from clientele.domain.webhook_urls import UrlRefused, parse
from clientele.domain.webhooks import SECRET_OVERLAP_SECONDS, WebhookCreate, WebhookFields, normalise_events
from clientele.errors import FieldError, ValidationFailed, VersionConflict
from clientele.integrations import webhook_http
from clientele.services.lookups import found, require_uuid
from clientele.services.saved import Saved
from clientele.services.webhooks import secrets
from clientele.services.webhooks.settings import settings
from clientele.store import webhooks as store
from clientele.store.table import Item, as_int

_WEBHOOK = "webhook"
SHOWN_ONCE = "secretCiphertext"  # what a create's remembered answer holds instead of the secret


def _live(secret: Item, now: str) -> bool:
    expires = secret.get("expiresAt")
    return expires is None or str(expires) > now


def active_secrets(record: Item) -> list[Item]:
    """The secrets that sign deliveries now: the current one and, for 24 h after a rotation, the one before."""
    now = clock.now_iso()
    return [secret for secret in record.get("secrets") or [] if _live(secret, now)]


def present(record: Item) -> dict[str, Any]:
    stored = record.get("secrets") or []
    previous = stored[1] if len(stored) > 1 and _live(stored[1], clock.now_iso()) else None
    return {
        "id": record["id"],
        "url": record.get("url"),
        "events": list(record.get("events") or []),
        "description": record.get("description"),
        "isActive": bool(record.get("isActive")),
        "disabledReason": record.get("disabledReason"),
        "consecutiveFailures": as_int(record.get("consecutiveFailures")),
        "previousSecretExpiresAt": previous.get("expiresAt") if previous else None,
        "version": as_int(record.get("version"), 1),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
    }


def checked_url(url: str | None) -> str:
    """The URL when webhooks may go there, else 422 naming ``url`` with the reason."""
    if url is None:
        raise ValidationFailed.of("url", "A webhook needs a url.")
    try:
        target = parse(url, allow_local_http=settings().allow_local_http)
    except UrlRefused as exc:
        raise ValidationFailed.of("url", str(exc)) from None
    refused = webhook_http.refused_now(target)
    if refused is not None:
        raise ValidationFailed.of("url", f"Webhooks go to public addresses only; {refused}.")
    return url


def _fields(values: dict[str, Any]) -> Item:
    """The stored form of the fields a request sent (only those), checked."""
    errors: list[FieldError] = []
    record: Item = {}
    if "url" in values:
        record["url"] = checked_url(values["url"])
    if "events" in values:
        if values["events"] is None:
            errors.append(FieldError("events", "A webhook subscribes to at least one event type (or '*')."))
        else:
            record["events"] = normalise_events(values["events"])
    if "description" in values:
        record["description"] = clean_text(values["description"])
    if "isActive" in values:
        if values["isActive"] is None:
            errors.append(FieldError("isActive", "isActive is true or false."))
        else:
            record["isActive"] = bool(values["isActive"])
    if errors:
        raise ValidationFailed(errors)
    return record


def _load(org: str, webhook_id: str) -> Item:
    require_uuid(webhook_id, _WEBHOOK)
    return found(store.get_webhook(org, webhook_id), _WEBHOOK)


def _secret_entry(ciphertext: bytes, now: str) -> Item:
    return {"ciphertext": ciphertext, "createdAt": now, "expiresAt": None}


def create(org: str, fields: WebhookCreate) -> dict[str, Any]:
    """Store a new subscription. The answer carries the secret encrypted (``secretCiphertext``): an
    Idempotency-Key record keeps the answer, and a secret is never stored in plain text; :func:`reveal`
    turns it into ``secret`` for the response."""
    record = _fields(fields.provided())
    now = clock.now_iso()
    webhook_id = clock.new_id()
    ciphertext = secrets.encrypt(org, webhook_id, secrets.new_secret())
    record.update(id=webhook_id, secrets=[_secret_entry(ciphertext, now)], version=1, createdAt=now, updatedAt=now)
    record.setdefault("description", None)
    store.create_webhook(org, record)
    return {**present(record), SHOWN_ONCE: base64.b64encode(ciphertext).decode()}


def reveal(org: str, body: dict[str, Any]) -> dict[str, Any]:
    """A create's answer as the client sees it: the secret in plain text, once."""
    shown = {name: value for name, value in body.items() if name != SHOWN_ONCE}
    if SHOWN_ONCE in body:
        shown["secret"] = secrets.decrypt(org, body["id"], base64.b64decode(body[SHOWN_ONCE]))
    return shown


def get(org: str, webhook_id: str) -> Saved:
    record = _load(org, webhook_id)
    return Saved(present(record), as_int(record.get("version"), 1))


def list_all(org: str) -> dict[str, Any]:
    return {"items": [present(record) for record in store.list_webhooks(org)]}


def update(org: str, webhook_id: str, fields: WebhookFields, expected_version: int) -> Saved:
    before = _load(org, webhook_id)
    if as_int(before.get("version")) != expected_version:
        raise VersionConflict(as_int(before.get("version")))
    changes = _fields(fields.provided())
    if changes.get("isActive") and not before.get("isActive"):
        changes.update(disabledReason=None, consecutiveFailures=0)  # switched back on: a fresh start
    changes["updatedAt"] = clock.now_iso()
    store.update_webhook(org, before, changes, expected_version)
    after = {**before, **changes, "version": expected_version + 1}
    return Saved(present(after), expected_version + 1)


def delete(org: str, webhook_id: str, expected_version: int) -> None:
    require_uuid(webhook_id, _WEBHOOK)
    store.delete_webhook(org, webhook_id, expected_version)


def rotate(org: str, webhook_id: str) -> Saved:
    """A new secret (shown in this answer only); the current one keeps signing beside it for 24 h, and an
    older one stops. No If-Match: a rotation changes no field a client edits, and a lost race is retried."""
    before = _load(org, webhook_id)
    secret = secrets.new_secret()
    ciphertext = secrets.encrypt(org, webhook_id, secret)
    for attempt in retries.attempts():
        if attempt:
            before = _load(org, webhook_id)
        moment = datetime.now(UTC)
        now = clock.iso(moment)
        current = (before.get("secrets") or [])[:1]
        kept = [{**entry, "expiresAt": clock.iso(moment + timedelta(seconds=SECRET_OVERLAP_SECONDS))} for entry in current]
        changes = {"secrets": [_secret_entry(ciphertext, now), *kept], "updatedAt": now}
        version = as_int(before.get("version"))
        try:
            store.update_webhook(org, before, changes, version)
        except VersionConflict:
            continue
        after = {**before, **changes, "version": version + 1}
        return Saved({**present(after), "secret": secret}, version + 1)
    raise VersionConflict(None)
