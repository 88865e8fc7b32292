"""POST /integrations/quickbooks/webhook (SPEC §5.3): verify Intuit's signature, then enqueue a sync.

* ``intuit-signature`` is base64(HMAC-SHA256(verifier token, raw body)); compared in constant time.
  A bad or missing one is 401 and nothing else happens (no parse, no lookup, no event).
* Two payload forms: the classic ``{"eventNotifications": [{"realmId", "dataChangeEvent":
  {"entities": [{"name": "Customer", "id"}]}}]}`` and the CloudEvents list
  (``[{"type": "qbo.customer.updated.v1", "intuitaccountid", "intuitentityid"}]``). Only Customer
  entities count.
* Each realm maps to its org through the realm marker item (``store.settings.org_for_realm``); an
  unknown realm is logged and skipped, and the answer is the same 200, so the webhook does not reveal
  which realms exist.
* One EventBridge event per known realm: source ``clientele.quickbooks``, detail-type
  ``QuickBooksCustomersChanged``, detail ``{org, realmId, customerIds}``; the sync job consumes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from functools import cache
from typing import Any

from clientele.config import config
from clientele.errors import BadRequest, Unauthorized
from clientele.store import settings as settings_store

logger = logging.getLogger("clientele")

EVENT_SOURCE = "clientele.quickbooks"
DETAIL_TYPE = "QuickBooksCustomersChanged"
_MAX_IDS_PER_EVENT = 500  # keeps an entry far below EventBridge's 256 KB


@cache
def verifier_token() -> bytes:
    settings = config()
    if settings.qbo_webhook_verifier_secret:
        from aws_lambda_powertools.utilities import parameters

        value = str(parameters.get_secret(settings.qbo_webhook_verifier_secret, max_age=3600))
        try:  # a JSON secret {"verifierToken": "..."} or the bare token
            parsed = json.loads(value)
            if isinstance(parsed, dict) and parsed.get("verifierToken"):
                value = str(parsed["verifierToken"])
        except json.JSONDecodeError:
            pass
        return value.encode()
    return settings.qbo_webhook_verifier_token.encode()


def signature_of(body: bytes, token: bytes) -> str:
    return base64.b64encode(hmac.new(token, body, hashlib.sha256).digest()).decode()


def verify(body: bytes, signature: str | None) -> None:
    expected = signature_of(body, verifier_token())
    if not signature or not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise Unauthorized("The intuit-signature header is missing or does not match the body.")


def changed_customers(payload: Any) -> dict[str, list[str]]:
    """realmId → Customer ids named in either payload form (order kept, duplicates dropped)."""
    found: dict[str, dict[str, None]] = {}

    def add(realm: Any, entity_id: Any) -> None:
        if isinstance(realm, str | int) and isinstance(entity_id, str | int) and str(realm) and str(entity_id):
            found.setdefault(str(realm), {})[str(entity_id)] = None

    if isinstance(payload, dict):
        for notification in payload.get("eventNotifications") or []:
            if not isinstance(notification, dict):
                continue
            entities = (notification.get("dataChangeEvent") or {}).get("entities") or []
            for entity in entities if isinstance(entities, list) else []:
                if isinstance(entity, dict) and str(entity.get("name", "")).lower() == "customer":
                    add(notification.get("realmId"), entity.get("id"))
    elif isinstance(payload, list):
        for event in payload:
            if isinstance(event, dict) and str(event.get("type", "")).lower().startswith("qbo.customer."):
                add(event.get("intuitaccountid"), event.get("intuitentityid"))
    return {realm: list(ids) for realm, ids in found.items()}


def handle(body: bytes, signature: str | None) -> int:
    """Verify, parse and enqueue; returns how many events were put on the bus."""
    verify(body, signature)
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    entries = []
    for realm_id, customer_ids in changed_customers(payload).items():
        org = settings_store.org_for_realm(realm_id)
        if org is None:
            logger.warning("quickbooks webhook for an unknown realm %s ignored", realm_id)
            continue
        for start in range(0, len(customer_ids), _MAX_IDS_PER_EVENT):
            entries.append((DETAIL_TYPE, {"org": org, "realmId": realm_id,
                                          "customerIds": customer_ids[start:start + _MAX_IDS_PER_EVENT]}))
    from clientele.events import publisher

    publisher.publish_all(entries, EVENT_SOURCE, "Could not enqueue the sync; Intuit will retry the notification.")
    return len(entries)
