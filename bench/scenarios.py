"""The operations `make bench` measures: how to prepare each one and how to call it.

Each scenario runs against an org that is already provisioned and a warm container (catalog
cached), which is the state the round-trip targets in the issues refer to.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from local.invoke import Api, Reply

if TYPE_CHECKING:
    from local.streams import StreamReader

ORG = "bench-org"
_counter = itertools.count()


@dataclass(frozen=True)
class Scenario:
    name: str
    target: str  # the figure: the fewest calls the operation can make
    prepare: Callable[[Api, dict[str, Any]], dict[str, Any]]
    run: Callable[[Api, dict[str, Any]], Reply]
    expect: int


def _type_id(api: Api, state: dict[str, Any]) -> str:
    if "type_id" not in state:
        from clientele.services import orgs

        state["type_id"] = orgs.ensure_provisioned(ORG).ordered("type")[1]["id"]
    return str(state["type_id"])


def _customer(api: Api, state: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"companyName": f"Bench Customer {next(_counter)}", "customerTypeId": _type_id(api, state),
            "emails": "ops@example.com", "phones": "+1 212 555 0101", **fields}
    reply = api.post("/customers", body, org=ORG)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def _fresh(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    return {"customer": _customer(api, state)}


def _nothing(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    _type_id(api, state)
    _warm(ORG)
    return {}


def _warm(org: str) -> None:
    """Refresh the org's catalog if its cache expired, so the measured call finds it warm (the whole
    run outlasts CATALOG_CACHE_SECONDS; otherwise an expiry could land inside a measured round)."""
    from clientele.services import orgs

    orgs.catalog(org)


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def _order(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    customer = _customer(api, state, discountRate=5)
    reply = api.post("/sales-orders", {"customerId": customer["id"], "lines": ORDER_LINES}, org=ORG)
    assert reply.status == 201, reply.body
    return {"customer": customer, "order": reply.body}


ORDER_LINES = [{"description": "Widget", "quantity": 3, "unitPrice": "19.99"},
               {"description": "Fitting", "quantity": "1.5", "unitPrice": "80.00"}]


def _project_stream(api: Api) -> None:
    """Run the stream processor over the records written so far (derived reads need them)."""
    from local.events import LambdaContext
    from local.streams import PROCESSOR
    from local.template import function

    handler = function(PROCESSOR).load()
    reader = _stream()
    while batches := reader.poll():
        for batch in batches:
            records = [record for record in batch if reader.passes(record)]
            if records:
                handler({"Records": records}, LambdaContext(timeout_seconds=120))


@cache
def _stream() -> StreamReader:
    """The table's stream, read on from where the last scenario left it."""
    import os

    from local.streams import StreamReader

    return StreamReader(os.environ["TABLE_NAME"])


def _family(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    parent = _customer(api, state)
    children = [_customer(api, state, parentCustomerId=parent["id"]) for _ in range(3)]
    _project_stream(api)
    _warm(ORG)  # projecting can take seconds: keep the catalog from expiring before the call
    return {"customer": parent, "children": children}


def _findable(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    email = f"match-{next(_counter)}@example.com"
    customer = _customer(api, state, emails=email)
    _project_stream(api)
    _warm(ORG)
    return {"customer": customer, "email": email}


def _deleted(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    prepared = _fresh(api, state)
    reply = api.delete(f"/customers/{prepared['customer']['id']}", headers=_if_match(1), org=ORG)
    assert reply.status == 204, reply.body
    return prepared


def _posted(api: Api, path: str, body: dict[str, Any], org: str = ORG) -> dict[str, Any]:
    reply = api.post(path, body, org=org)
    assert reply.status == 201, (path, reply.body)
    return dict(reply.body)


# --- contacts and the customer document (SPEC §4.4) -------------------------------------------------------
# Prepared through POST /customers with `contacts` (one transaction, no Query): moto sorts every item
# of the table on each Query, so Queries in prepare are what makes a long run slow.


def _with_contacts(api: Api, state: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    document = _customer(api, state, contacts=[{"name": name, "title": "Buyer"} for name in names])
    contacts = {contact["name"]: contact for contact in document["contacts"]}
    assert set(contacts) == set(names), document
    return {"customer": document, "contacts": contacts, "document": document}


def _one_contact(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    return _with_contacts(api, state, ("Grace Hopper",))


def _three_contacts(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    return _with_contacts(api, state, ("Ada Lovelace", "Grace Hopper", "Hedy Lamarr"))


def _reconcilable(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    return _with_contacts(api, state, ("Keep Me", "Drop Me"))


def _contact_path(s: dict[str, Any]) -> str:
    return f"/customers/{s['customer']['id']}/contacts/{s['contacts']['Grace Hopper']['id']}"


def _reconcile(api: Api, s: dict[str, Any]) -> Reply:
    """The whole document back with one contact changed, one added (no id), one left out (deleted)."""
    document = s["document"]
    body = {**document, "contacts": [{**s["contacts"]["Keep Me"], "title": "Head Buyer"}, {"name": "New Person"}]}
    return api.put(f"/customers/{s['customer']['id']}", body, headers=_if_match(document["version"]), org=ORG)


# --- activities and tasks (SPEC §4.5) -----------------------------------------------------------------


NOTE = {"type": "note", "body": "Spoke about the renewal."}
TASK = {"type": "task", "title": "Call back", "dueDate": "2026-06-01"}


def _with_task(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    customer = _customer(api, state)
    return {"customer": customer, "activity": _posted(api, f"/customers/{customer['id']}/activities", TASK)}


def _with_timeline(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    customer = _customer(api, state)
    for activity in (NOTE, TASK, {**NOTE, "type": "call"}):
        _posted(api, f"/customers/{customer['id']}/activities", activity)
    return {"customer": customer}


def _activity_path(s: dict[str, Any]) -> str:
    return f"/customers/{s['customer']['id']}/activities/{s['activity']['id']}"


# --- projects (SPEC §4.6) and the address book (SPEC §4.8) ------------------------------------------------


def _with_project(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    customer = _customer(api, state)
    return {"customer": customer,
            "project": _posted(api, f"/customers/{customer['id']}/projects", {"name": "Lobby refit"})}


def _project_path(s: dict[str, Any]) -> str:
    return f"/customers/{s['customer']['id']}/projects/{s['project']['id']}"


ADDRESS = {"label": "Head office", "line1": "1 Main St", "city": "New York", "country": "US"}


def _with_address(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    _warm(ORG)
    return {"entry": _posted(api, "/address-book", ADDRESS)}


# --- taxonomies (SPEC §4.2) and settings (SPEC §4.1) ------------------------------------------------------
# One org each, reused every round (a new org per round adds ~30 items, and moto's Query cost grows
# with the whole table). The segment list stays bounded: "create" adds one entry a round, "delete"
# removes one of those, and "create" makes room first should a long run near the 99-entry limit.
# Every write drops the container's catalog; each prepare re-reads it (_warm) and takes the current
# versions from it, as a client would from its last response.

TAX_ORG = "bench-taxonomies"
SETTINGS_ORG = "bench-settings"
POOL = 5  # segments reordered, patched, listed
CREATED = "Created "


def _segments(api: Api, state: dict[str, Any]) -> list[dict[str, Any]]:
    """The segment list, warm in the catalog, with the pool filled."""
    from clientele.services import orgs

    orgs.ensure_provisioned(TAX_ORG)
    _warm(TAX_ORG)
    ordered = orgs.catalog(TAX_ORG).ordered("segment")
    pool = [entry for entry in ordered if not str(entry["name"]).startswith(CREATED)]
    if len(pool) < POOL:
        for n in range(len(pool), POOL):
            _posted(api, "/customer-segments", {"name": f"Pool {n}"}, TAX_ORG)
        _warm(TAX_ORG)
        ordered = orgs.catalog(TAX_ORG).ordered("segment")
    return ordered


def _pool(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in entries if not str(entry["name"]).startswith(CREATED)]


def _listed_segments(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    entries = _segments(api, state)
    return {"ids": [entry["id"] for entry in entries], "entry": _pool(entries)[0]}


def _room_for_one(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    from clientele.domain.taxonomies import MAX_ENTRIES

    entries = _segments(api, state)
    extra = [entry for entry in entries if str(entry["name"]).startswith(CREATED)]
    if len(entries) >= MAX_ENTRIES - 1 and extra:
        for entry in extra:
            reply = api.delete(f"/customer-segments/{entry['id']}", headers=_if_match(entry["version"]), org=TAX_ORG)
            assert reply.status == 204, reply.body
        _warm(TAX_ORG)
    return {}


def _created_segment(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    extra = [entry for entry in _segments(api, state) if str(entry["name"]).startswith(CREATED)]
    if not extra:
        extra = [_posted(api, "/customer-segments", {"name": f"{CREATED}{next(_counter)}"}, TAX_ORG)]
        _warm(TAX_ORG)
    return {"entry": extra[0]}


def _segment_path(s: dict[str, Any]) -> str:
    return f"/customer-segments/{s['entry']['id']}"


def _settings(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    """The org's settings as cached, and a whole document that differs from them (a PUT of the same
    document changes nothing and writes nothing)."""
    from clientele.services import orgs

    orgs.ensure_provisioned(SETTINGS_ORG)
    _warm(SETTINGS_ORG)
    current = orgs.catalog(SETTINGS_ORG).settings
    assert current is not None
    country = "GB" if current.default_country == "US" else "US"
    document = {"defaultCountry": country, "defaultAreaCode": "20" if country == "GB" else "212",
                "customerIntegrationEnabled": False, "integrationProvider": None, "quickbooksRealmId": None}
    return {"version": current.version, "document": document}


# --- imports (SPEC §5.2) and the upsert by remote id (SPEC §5.3) ------------------------------------------


def _with_import(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    _warm(ORG)
    return {"import": _posted(api, "/imports", {"filename": "customers.csv"})}


def _remote_id(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    _warm(ORG)
    return {"remoteId": f"QB-bench-{next(_counter)}"}


def _upserted(api: Api, state: dict[str, Any]) -> dict[str, Any]:
    prepared = _remote_id(api, state)
    reply = api.put(f"/customers/by-remote-id/{prepared['remoteId']}", {"companyName": "Remote Co"}, org=ORG)
    assert reply.status == 201, reply.body
    return prepared


SCENARIOS: list[Scenario] = [
    Scenario("create customer", "1 write", _nothing,
             lambda api, s: api.post("/customers", {"companyName": f"New {next(_counter)}",
                                                    "customerTypeId": _type_id(api, s)}, org=ORG), 201),
    Scenario("get customer", "1 read", _fresh,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}", org=ORG), 200),
    Scenario("list customers (page)", "1 Query", _fresh,
             lambda api, s: api.get("/customers", query="limit=20", org=ORG), 200),
    Scenario("patch customer", "1 read + 1 write", _fresh,
             lambda api, s: api.patch(f"/customers/{s['customer']['id']}", {"notes": "changed"},
                                      headers=_if_match(1), org=ORG), 200),
    Scenario("replace customer", "1 read + 1 write", _fresh,
             lambda api, s: api.put(f"/customers/{s['customer']['id']}",
                                    {"companyName": "Replaced", "customerTypeId": _type_id(api, s)},
                                    headers=_if_match(1), org=ORG), 200),
    Scenario("delete customer", "1 read + 1 write", _fresh,
             lambda api, s: api.delete(f"/customers/{s['customer']['id']}", headers=_if_match(1), org=ORG), 204),
    Scenario("restore customer", "1 read + 1 write",
             lambda api, s: _deleted(api, s),
             lambda api, s: api.post(f"/customers/{s['customer']['id']}/restore", headers=_if_match(2), org=ORG),
             200),
    Scenario("create sales order", "1 read + 1 counter + 1 write", _fresh,
             lambda api, s: api.post("/sales-orders", {"customerId": s["customer"]["id"], "lines": ORDER_LINES},
                                     org=ORG), 201),
    Scenario("get sales order", "1 read", _order,
             lambda api, s: api.get(f"/sales-orders/{s['order']['id']}", org=ORG), 200),
    Scenario("confirm sales order", "1 read + 1 write", _order,
             lambda api, s: api.patch(f"/sales-orders/{s['order']['id']}", {"status": "confirmed"},
                                      headers=_if_match(1), org=ORG), 200),
    Scenario("list customer's sales orders", "1 Query", _order,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}/sales-orders", org=ORG), 200),
    Scenario("list children", "1 Query", _family,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}/children", org=ORG), 200),
    Scenario("match by email", "1 Query + 1 read", _findable,
             lambda api, s: api.get("/customers/match", query=f"email={s['email']}", org=ORG), 200),
    Scenario("customer report", "1 Query", _nothing,
             lambda api, s: api.get("/reports/customers", query="groupBy=customerType", org=ORG), 200),
    # contacts: every write reads the document (customer + contacts, one Query) and writes one
    # transaction that bumps the customer's version with the contact change
    Scenario("create contact", "1 Query + 1 transaction", _fresh,
             lambda api, s: api.post(f"/customers/{s['customer']['id']}/contacts",
                                     {"name": "Grace Hopper", "email": "grace@example.com", "roles": ["primary"]},
                                     org=ORG), 201),
    Scenario("patch contact", "1 Query + 1 transaction", _one_contact,
             lambda api, s: api.patch(_contact_path(s), {"title": "Head Buyer"}, headers=_if_match(1), org=ORG), 200),
    Scenario("delete contact", "1 Query + 1 transaction", _one_contact,
             lambda api, s: api.delete(_contact_path(s), headers=_if_match(1), org=ORG), 204),
    Scenario("list contacts", "1 Query", _three_contacts,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}/contacts", org=ORG), 200),
    Scenario("get customer (3 contacts)", "1 Query", _three_contacts,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}", org=ORG), 200),
    Scenario("reconcile (PUT, 1 upd/1 new/1 del)", "1 Query + 1 transaction", _reconcilable, _reconcile, 200),
    # activities: writes read nothing but the activity changed; the customer's liveness is a
    # ConditionCheck in the same transaction
    Scenario("create activity (note)", "1 transaction", _fresh,
             lambda api, s: api.post(f"/customers/{s['customer']['id']}/activities", NOTE, org=ORG), 201),
    Scenario("create task", "1 transaction", _fresh,
             lambda api, s: api.post(f"/customers/{s['customer']['id']}/activities", TASK, org=ORG), 201),
    Scenario("patch task to done", "1 read + 1 transaction", _with_task,
             lambda api, s: api.patch(_activity_path(s), {"status": "done"}, headers=_if_match(1), org=ORG), 200),
    Scenario("delete activity", "1 transaction", _with_task,
             lambda api, s: api.delete(_activity_path(s), headers=_if_match(1), org=ORG), 204),
    Scenario("timeline page", "1 Query", _with_timeline,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}/activities", query="limit=20", org=ORG),
             200),
    Scenario("open tasks page", "1 Query", _with_task,
             lambda api, s: api.get("/tasks", query="status=open&limit=20", org=ORG), 200),
    # projects
    Scenario("create project", "1 transaction", _fresh,
             lambda api, s: api.post(f"/customers/{s['customer']['id']}/projects", {"name": "Lobby refit"},
                                     org=ORG), 201),
    Scenario("get project", "1 read", _with_project, lambda api, s: api.get(_project_path(s), org=ORG), 200),
    Scenario("list projects (page)", "1 Query", _with_project,
             lambda api, s: api.get(f"/customers/{s['customer']['id']}/projects", org=ORG), 200),
    Scenario("patch project", "1 read + 1 transaction", _with_project,
             lambda api, s: api.patch(_project_path(s), {"status": "active"}, headers=_if_match(1), org=ORG), 200),
    Scenario("delete project", "1 transaction", _with_project,
             lambda api, s: api.delete(_project_path(s), headers=_if_match(1), org=ORG), 204),
    # address book
    Scenario("create address entry", "1 write", _nothing,
             lambda api, s: api.post("/address-book", ADDRESS, org=ORG), 201),
    Scenario("get address entry", "1 read", _with_address,
             lambda api, s: api.get(f"/address-book/{s['entry']['id']}", org=ORG), 200),
    Scenario("list address book (page)", "1 Query", _with_address,
             lambda api, s: api.get("/address-book", query="limit=20", org=ORG), 200),
    Scenario("patch address entry", "1 read + 1 write", _with_address,
             lambda api, s: api.patch(f"/address-book/{s['entry']['id']}", {"city": "Brooklyn"},
                                      headers=_if_match(1), org=ORG), 200),
    Scenario("delete address entry", "1 write", _with_address,
             lambda api, s: api.delete(f"/address-book/{s['entry']['id']}", headers=_if_match(1), org=ORG), 204),
    # taxonomies: reads come from the container's catalog; a write re-reads the org partition
    # consistently (one Query) and writes one transaction with the list head's version check
    Scenario("list segments", "0 (cached catalog)", _listed_segments,
             lambda api, s: api.get("/customer-segments", org=TAX_ORG), 200),
    Scenario("get segment", "0 (cached catalog)", _listed_segments,
             lambda api, s: api.get(_segment_path(s), org=TAX_ORG), 200),
    Scenario("create segment", "1 Query + 1 transaction", _room_for_one,
             lambda api, s: api.post("/customer-segments", {"name": f"{CREATED}{next(_counter)}"}, org=TAX_ORG),
             201),
    Scenario("patch segment", "1 Query + 1 transaction", _listed_segments,
             lambda api, s: api.patch(_segment_path(s), {"name": f"Pool {next(_counter)}"},
                                      headers=_if_match(s["entry"]["version"]), org=TAX_ORG), 200),
    Scenario("delete segment", "1 Query + 1 transaction", _created_segment,
             lambda api, s: api.delete(_segment_path(s), headers=_if_match(s["entry"]["version"]), org=TAX_ORG),
             204),
    Scenario(f"reorder segments ({POOL})", "1 Query + 1 transaction", _listed_segments,
             lambda api, s: api.put("/customer-segments/order", {"ids": list(reversed(s["ids"]))}, org=TAX_ORG),
             200),
    # settings: read from the catalog; a PUT reads the item consistently (version, realm to release)
    Scenario("get settings", "0 (cached catalog)", _settings,
             lambda api, s: api.get("/settings", org=SETTINGS_ORG), 200),
    Scenario("put settings", "1 read + 1 write", _settings,
             lambda api, s: api.put("/settings", s["document"], headers=_if_match(s["version"]), org=SETTINGS_ORG),
             200),
    # imports (the job itself runs off S3 events and is not an API call)
    Scenario("start import (upload URL)", "1 write", _nothing,
             lambda api, s: api.post("/imports", {"filename": "customers.csv"}, org=ORG), 201),
    Scenario("get import", "1 read", _with_import,
             lambda api, s: api.get(f"/imports/{s['import']['id']}", org=ORG), 200),
    # upsert by remote id (the integration's write path)
    Scenario("upsert by remote id (create)", "1 read + 1 transaction", _remote_id,
             lambda api, s: api.put(f"/customers/by-remote-id/{s['remoteId']}", {"companyName": "Remote Co"},
                                    org=ORG), 201),
    Scenario("upsert by remote id (update)", "1 read + 1 Query + 1 write", _upserted,
             lambda api, s: api.put(f"/customers/by-remote-id/{s['remoteId']}", {"companyName": "Remote Co 2"},
                                    org=ORG), 200),
]
