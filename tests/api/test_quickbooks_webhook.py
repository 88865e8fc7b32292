"""POST /integrations/quickbooks/webhook (SPEC §5.3): signature, both payload forms, the event on the bus."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from clientele.errors import Unauthorized
from clientele.services import quickbooks_webhook
from clientele.services.quickbooks_webhook import DETAIL_TYPE, EVENT_SOURCE, signature_of
from local.invoke import Reply, Verbs
from tests.api.parts import assert_problem
from tests.bus import Watch, watch
from tests.jobs.qbo_fixtures import (
    SDK_PAYLOAD,
    SDK_SIGNATURE,
    SDK_VERIFIER_TOKEN,
    classic_customer,
    classic_notification,
    cloud_event,
    cloud_merge,
)

PATH = "/integrations/quickbooks/webhook"
TOKEN = b"local-verifier-token"


@pytest.fixture
def queue(table: str) -> Watch:
    """Every QuickBooks event put on the project's bus."""
    return watch(EVENT_SOURCE)


def _connect_realm(api: Verbs, realm: str = "9130350", org: str = "acme") -> None:
    current = api.get("/settings", org=org)
    reply = api.put("/settings", {**current.body, "integrationProvider": "quickbooks", "quickbooksRealmId": realm},
                    org=org, headers={"if-match": current.etag})
    assert reply.status == 200, reply.body


def _classic(realm: str = "9130350", ids: Sequence[str] = ("1", "2")) -> dict[str, Any]:
    return {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": [
        *({"name": "Customer", "id": entity_id, "operation": "Update", "lastUpdated": "2026-01-01T00:00:00Z"}
          for entity_id in ids),
        {"name": "Invoice", "id": "77", "operation": "Create"},
    ]}}]}


def _cloud_events(realm: str = "9130350", ids: Sequence[str] = ("5",)) -> list[dict[str, Any]]:
    return [{"specversion": "1.0", "id": f"evt-{entity_id}", "source": "intuit.test", "type": "qbo.customer.updated.v1",
             "time": "2026-01-01T00:00:00Z", "intuitentityid": entity_id, "intuitaccountid": realm, "data": {}}
            for entity_id in ids] + [{"type": "qbo.invoice.created.v1", "intuitentityid": "9",
                                      "intuitaccountid": realm}]


def _send(api: Verbs, payload: object, signature: str | None = "sign") -> Reply:
    raw = json.dumps(payload)
    headers: dict[str, str] = {}
    if signature == "sign":
        headers["intuit-signature"] = signature_of(raw.encode(), TOKEN)
    elif signature is not None:
        headers["intuit-signature"] = signature
    return api.call("POST", PATH, org=None, raw_body=raw, headers=headers)


def test_good_signature_classic_payload_puts_one_event_per_realm(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    reply = _send(api, _classic())
    assert reply.status == 200, reply.body
    (event,) = queue()
    assert event["source"] == EVENT_SOURCE
    assert event["detail-type"] == DETAIL_TYPE
    assert event["detail"] == {"org": "acme", "realmId": "9130350", "customerIds": ["1", "2"]}


def test_good_signature_cloud_events_payload_puts_the_event(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    reply = _send(api, _cloud_events(ids=("5", "6", "5")))
    assert reply.status == 200, reply.body
    (event,) = queue()
    assert event["detail"] == {"org": "acme", "realmId": "9130350", "customerIds": ["5", "6"]}


def test_realms_map_to_their_own_orgs(api: Verbs, queue: Watch) -> None:
    _connect_realm(api, "111", org="acme")
    _connect_realm(api, "222", org="globex")
    payload = {"eventNotifications": [*_classic("111", ["1"])["eventNotifications"],
                                      *_classic("222", ["2"])["eventNotifications"]]}
    assert _send(api, payload).status == 200
    details = sorted((event["detail"] for event in queue()), key=lambda detail: detail["org"])
    assert details == [{"org": "acme", "realmId": "111", "customerIds": ["1"]},
                       {"org": "globex", "realmId": "222", "customerIds": ["2"]}]


def test_bad_signature_is_401_and_enqueues_nothing(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    reply = _send(api, _classic(), signature="bm90IHRoZSByaWdodCBzaWduYXR1cmU=")
    assert reply.status == 401
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.body["code"] == "unauthorized"
    assert queue() == []


def test_missing_signature_is_401_and_enqueues_nothing(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    reply = _send(api, _classic(), signature=None)
    assert_problem(reply, 401, "unauthorized")
    assert queue() == []


def test_signature_of_another_body_is_401(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    signature = signature_of(json.dumps(_classic(ids=("1",))).encode(), TOKEN)
    assert_problem(_send(api, _classic(ids=("1", "2")), signature=signature), 401, "unauthorized")
    assert queue() == []


def test_unknown_realm_is_200_with_nothing_enqueued(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    known = _send(api, _classic())
    unknown = _send(api, _classic(realm="404404"))
    assert unknown.status == 200
    assert unknown.body == known.body  # the answer does not reveal which realms exist
    assert [event["detail"]["realmId"] for event in queue()] == ["9130350"]


def test_payload_without_customers_enqueues_nothing(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    payload = {"eventNotifications": [{"realmId": "9130350", "dataChangeEvent": {"entities": [
        {"name": "Invoice", "id": "1"}]}}]}
    assert _send(api, payload).status == 200
    assert queue() == []


def test_signed_body_that_is_not_json_is_400(api: Verbs, queue: Watch) -> None:
    raw = "not json"
    reply = api.call("POST", PATH, org=None, raw_body=raw,
                     headers={"intuit-signature": signature_of(raw.encode(), TOKEN)})
    assert_problem(reply, 400, "bad_request")
    assert queue() == []


def test_webhook_needs_no_bearer_token(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    reply = api.call("POST", PATH, org=None, raw_body=json.dumps(_classic()),
                     headers={"intuit-signature": signature_of(json.dumps(_classic()).encode(), TOKEN),
                              "authorization": "Bearer garbage"})
    assert reply.status == 200


# --------------------------------------------------------------------------- deletes and merges (issue 16)
# Payload shapes from Intuit's published samples: tests/jobs/qbo_fixtures.py names each source.


@pytest.mark.parametrize("payload", [
    pytest.param(classic_notification("9130350", classic_customer("7", "Delete")), id="classic"),
    pytest.param([cloud_event("9130350", "7", "deleted")], id="cloudevents"),
])
def test_a_delete_is_enqueued_as_a_deleted_id_not_a_customer_to_fetch(api: Verbs, queue: Watch, payload: object) -> None:
    _connect_realm(api)
    assert _send(api, payload).status == 200
    (event,) = queue()
    assert event["detail"] == {"org": "acme", "realmId": "9130350", "customerIds": [], "deletedIds": ["7"]}


def test_an_update_then_a_delete_of_the_same_customer_is_a_delete(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    payload = classic_notification("9130350", classic_customer("7", "Update"), classic_customer("8", "Update"),
                                   classic_customer("7", "Delete"))
    assert _send(api, payload).status == 200
    assert [(event["detail"]["customerIds"], event["detail"].get("deletedIds")) for event in queue()] == [
        (["8"], None), ([], ["7"])]


@pytest.mark.parametrize("payload", [
    pytest.param(classic_notification("9130350", classic_customer("123", "Merge", deleted_id="27")), id="classic"),
    pytest.param([cloud_merge("9130350", survivor="123", deleted="27")], id="cloudevents"),
])
def test_a_merge_is_recorded_as_pending_with_both_ids_and_the_survivor_enqueued(api: Verbs, queue: Watch,
                                                                                payload: object) -> None:
    _connect_realm(api)
    assert _send(api, payload).status == 200
    (event,) = queue()
    assert event["detail"] == {"org": "acme", "realmId": "9130350", "customerIds": ["123"]}
    [merge] = api.get("/integrations/quickbooks/sync").body["pendingMerges"]
    assert (merge["deletedId"], merge["survivorId"]) == ("27", "123") and merge["receivedAt"]


def test_a_merge_for_an_unknown_realm_records_nothing(api: Verbs, queue: Watch) -> None:
    _connect_realm(api)
    assert _send(api, [cloud_merge("404404")]).status == 200
    assert queue() == []
    assert api.get("/integrations/quickbooks/sync").body["pendingMerges"] == []


# --------------------------------------------------------------------------- Intuit's signature vector


@pytest.fixture
def sdk_token(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The verifier token of Intuit's Java SDK test (qbo_fixtures names the source)."""
    monkeypatch.setattr(quickbooks_webhook, "verifier_token", lambda: SDK_VERIFIER_TOKEN)
    return SDK_VERIFIER_TOKEN


def test_intuits_published_signature_verifies_its_payload(sdk_token: bytes) -> None:
    quickbooks_webhook.verify(SDK_PAYLOAD, SDK_SIGNATURE)  # raises when it does not match


def test_the_signature_intuits_sdk_refuses_is_refused(sdk_token: bytes) -> None:
    with pytest.raises(Unauthorized):
        quickbooks_webhook.verify(SDK_PAYLOAD, "1234")


def test_intuits_signed_payload_is_200_over_the_webhook_route(api: Verbs, queue: Watch, sdk_token: bytes) -> None:
    _connect_realm(api, realm="1185883450")
    reply = api.call("POST", PATH, org=None, raw_body=SDK_PAYLOAD.decode(), headers={"intuit-signature": SDK_SIGNATURE})
    assert reply.status == 200, reply.body
    (event,) = queue()
    assert event["detail"]["customerIds"] == ["1"]
