"""POST /integrations/quickbooks/webhook (SPEC §5.3): verify Intuit's signature, then enqueue a sync.

* ``intuit-signature`` is base64(HMAC-SHA256(verifier token, raw body)); compared in constant time.
  A bad or missing one is 401 and nothing else happens (no parse, no lookup, no event).
* Two payload forms: the classic ``{"eventNotifications": [{"realmId", "dataChangeEvent":
  {"entities": [{"name": "Customer", "id", "operation"[, "deletedId"]}]}}]}`` and the CloudEvents list
  (``[{"type": "qbo.customer.updated.v1", "intuitaccountid", "intuitentityid"[, "data": {"deletedid"}]}]``).
  Only Customer entities count (:func:`notifications`).
* A delete (``Delete``, ``qbo.customer.deleted.v1``) goes to the job as ``deletedIds``: it soft-deletes
  the local customer without calling QuickBooks (there is nothing left to fetch).
* A merge (``Merge`` + ``deletedId``, ``qbo.customer.merged.v1`` + ``data.deletedid``) is recorded at
  once in the sync state as a pending merge (``store.quickbooks_sync.record_merges``; the sync status
  shows it) and the survivor is fetched like a change. Applying the merge locally is SPEC §10's work.
* Each realm maps to its org through the realm marker item (``store.settings.org_for_realm``); an
  unknown realm is logged and skipped, and the answer is the same 200, so the webhook does not reveal
  which realms exist.
* One EventBridge event per known realm: source ``clientele.quickbooks``, detail-type
  ``QuickBooksCustomersChanged``, detail ``{org, realmId, customerIds[, deletedIds]}``; the sync job
  consumes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from clientele.clock import now_iso
from clientele.config import config
from clientele.errors import BadRequest, Unauthorized
from clientele.store import quickbooks_sync as sync_store
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


@dataclass
class RealmChanges:
    """What one payload says about one realm's customers."""

    changed: dict[str, None] = field(default_factory=dict)  # created, updated, merge survivors: fetch these
    deleted: dict[str, None] = field(default_factory=dict)  # deleted in QuickBooks: soft-delete, no fetch
    merges: dict[str, str] = field(default_factory=dict)  # merged-away id → surviving id

    def note(self, operation: str, entity_id: str, deleted_id: str | None) -> None:
        """The latest operation on an id wins (an Update then a Delete is a delete)."""
        if operation == "delete":
            self.changed.pop(entity_id, None)
            self.deleted.setdefault(entity_id, None)
            return
        self.deleted.pop(entity_id, None)
        self.changed.setdefault(entity_id, None)  # first mention keeps its place
        if operation == "merge" and deleted_id and deleted_id != entity_id:
            self.merges[deleted_id] = entity_id


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text or None


def notifications(payload: Any) -> dict[str, RealmChanges]:
    """realmId → the Customer changes named in either payload form.

    Classic: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [{"name": "Customer",
    "id", "operation": "Create|Update|Delete|Merge|Void|Emailed", "deletedId" (Merge)}]}}]}``.
    CloudEvents: ``[{"type": "qbo.customer.<created|updated|deleted|merged|…>.v1", "intuitaccountid",
    "intuitentityid", "data": {"deletedid" (merged)}}]``.
    """
    found: dict[str, RealmChanges] = {}

    def add(realm: Any, entity_id: Any, operation: str, deleted_id: Any = None) -> None:
        realm_text, id_text = _id(realm), _id(entity_id)
        if realm_text and id_text:
            found.setdefault(realm_text, RealmChanges()).note(operation.lower(), id_text, _id(deleted_id))

    if isinstance(payload, dict):
        for notification in payload.get("eventNotifications") or []:
            if not isinstance(notification, dict):
                continue
            entities = (notification.get("dataChangeEvent") or {}).get("entities") or []
            for entity in entities if isinstance(entities, list) else []:
                if isinstance(entity, dict) and str(entity.get("name", "")).lower() == "customer":
                    add(notification.get("realmId"), entity.get("id"), str(entity.get("operation") or "update"),
                        entity.get("deletedId"))
    elif isinstance(payload, list):
        for event in payload:
            if not isinstance(event, dict):
                continue
            kind = str(event.get("type", "")).lower()
            if not kind.startswith("qbo.customer."):
                continue
            operation = {"deleted": "delete", "merged": "merge"}.get(kind.split(".")[2] if kind.count(".") >= 2
                                                                     else "", "update")
            data = event.get("data")
            add(event.get("intuitaccountid"), event.get("intuitentityid"), operation,
                data.get("deletedid") if isinstance(data, dict) else None)
    return found


def changed_customers(payload: Any) -> dict[str, list[str]]:
    """realmId → Customer ids to fetch (created, updated, merge survivors), order kept, no duplicates."""
    return {realm: list(changes.changed) for realm, changes in notifications(payload).items() if changes.changed}


def handle(body: bytes, signature: str | None) -> int:
    """Verify, parse, record merges and enqueue; returns how many events were put on the bus."""
    verify(body, signature)
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    entries = []
    for realm_id, changes in notifications(payload).items():
        org = settings_store.org_for_realm(realm_id)
        if org is None:
            logger.warning("quickbooks webhook for an unknown realm %s ignored", realm_id)
            continue
        if changes.merges:  # before the event: a merge is never lost, whatever becomes of the sync
            sync_store.record_merges(org, [{"deletedId": deleted, "survivorId": survivor, "receivedAt": now_iso()}
                                           for deleted, survivor in changes.merges.items()])
            logger.info("quickbooks merges recorded for org %s: %s", org, changes.merges)
        entries.extend(_events(org, realm_id, list(changes.changed), list(changes.deleted)))
    from clientele.events import publisher

    publisher.publish_all(entries, EVENT_SOURCE, "Could not enqueue the sync; Intuit will retry the notification.")
    return len(entries)


def _events(org: str, realm_id: str, changed: list[str], deleted: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """``QuickBooksCustomersChanged`` entries of at most :data:`_MAX_IDS_PER_EVENT` ids each;
    ``deletedIds`` only when there are any (the job soft-deletes those without calling QuickBooks)."""
    events: list[tuple[str, dict[str, Any]]] = []
    for start in range(0, len(changed), _MAX_IDS_PER_EVENT):
        events.append((DETAIL_TYPE, {"org": org, "realmId": realm_id,
                                     "customerIds": changed[start:start + _MAX_IDS_PER_EVENT]}))
    for start in range(0, len(deleted), _MAX_IDS_PER_EVENT):
        events.append((DETAIL_TYPE, {"org": org, "realmId": realm_id, "customerIds": [],
                                     "deletedIds": deleted[start:start + _MAX_IDS_PER_EVENT]}))
    return events
