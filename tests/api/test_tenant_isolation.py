"""Tenant isolation over EVERY route of template.yaml (SPEC §2: another organisation's resource is a 404,
exactly like one that does not exist; the organisation always comes from the token).

Org A ("alpha") builds a full set of resources; org B ("bravo") builds its own. Then, per route:

- **ids**: B calls the route with A's ids in the path → 404 ``not_found``, and A's partition is
  byte-for-byte unchanged (every item whose key starts with ``ORG#alpha``);
- **cursors**: for every list that takes ``cursor``, A's ``nextCursor`` (``limit=1``) replayed by B on
  B's own list → 400 ``bad_cursor``;
- **idempotency**: for every POST that takes ``Idempotency-Key``, B's POST with A's key and A's body
  (B's own references where the body names other resources) creates B's own resource; A's replay
  still answers A's;
- **routes without ids** (lists, settings, reports, match, reorder, creates) have a case of their own.

The routes come from the template and the per-route inputs (cursor, Idempotency-Key) from the
committed OpenAPI document, so a new route cannot escape: it fails here until it has a case (or is
listed in ORG_LESS).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local import in_process, openapi, template
from local.invoke import Api, Reply

from .parts import assert_problem

A, B = "alpha", "bravo"
SECRET = "alpha-secret-7f3e"  # in A's data: must never appear in an answer to B
ORG_LESS = {("GET", "/health"), ("GET", "/openapi.json"), ("POST", "/integrations/quickbooks/webhook"),
            ("GET", "/docs"), ("GET", "/docs/{asset}")}  # Swagger UI: static files, no org
ROUTES = sorted({(r.method, r.path) for r in template.routes() if r.path != "$default"})
ADMIN_ONLY = ("/webhooks",)  # paths whose reads are an admin's too (a viewer meets 403 before any lookup)
DOCUMENT: dict[str, Any] = json.loads(openapi.DOCUMENT.read_text(encoding="utf-8"))
IF_MATCH = {"If-Match": '"1"'}


def _inputs(method: str, path: str) -> set[str]:
    operation = DOCUMENT["paths"].get(path, {}).get(method.lower(), {})
    return {str(parameter["name"]).lower() for parameter in operation.get("parameters", [])}


def _path_names(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)


CURSOR_LISTS = [r for r in ROUTES if r[0] == "GET" and "cursor" in _inputs(*r)]
IDEMPOTENT_CREATES = [r for r in ROUTES if r[0] == "POST" and "idempotency-key" in _inputs(*r)]
TAXONOMIES = {"/customer-types": "customerTypeId", "/customer-segments": "customerSegmentId",
              "/brokers": "brokerId", "/customer-categories": "customerCategoryId", "/payment-terms": "paymentTermsId"}
ENTRY_FIELDS = {"/payment-terms": {"netDays": 30}}  # what a list's entries need besides a name


# ----------------------------------------------------------------------------- the two tenants


class Tenant:
    """One organisation's resources, by the path parameter names the routes use."""

    def __init__(self, api: Api, org: str, secret: str) -> None:
        self.api = api
        self.org = org
        self.secret = secret
        self.ids: dict[str, str] = {}
        self.all_ids: set[str] = set()
        self.email = f"owner@{org}.example"
        self.live_customers = 0

    def post(self, path: str, body: Any, **kwargs: Any) -> dict[str, Any]:
        reply = self.api.post(path, body, org=self.org, **kwargs)
        assert reply.status in (201, 202), (path, reply.status, reply.body)
        self.live_customers += path == "/customers"
        self.all_ids.add(reply.body["id"])
        return dict(reply.body)

    def build(self) -> Tenant:
        api, org, secret = self.api, self.org, self.secret
        types = {item["name"]: item["id"] for item in api.get("/customer-types", org=org).body["items"]}
        self.all_ids.update(types.values())
        # A type of our own, used by no customer (so a leaked DELETE could succeed).
        self.ids["customerTypeId"] = self.post("/customer-types", {"name": f"{secret} type"})["id"]
        for list_path, name in TAXONOMIES.items():
            if list_path != "/customer-types":
                self.ids[name] = self.post(list_path, {"name": f"{secret} {name}", **ENTRY_FIELDS.get(list_path, {})}
                                           )["id"]
        self.ids["entryId"] = self.post("/address-book", {"label": f"{secret} office", "country": "US"})["id"]
        self.post("/address-book", {"label": f"{secret} depot"})
        customer = self.post("/customers", {
            "companyName": f"{secret} Hotels", "customerTypeId": types["Commercial"], "emails": self.email,
            "phones": "+1 212 555 0101", "notes": secret, "customerSegmentId": self.ids["customerSegmentId"],
            "customerCategoryId": self.ids["customerCategoryId"], "brokerId": self.ids["brokerId"],
            "paymentTermsId": self.ids["paymentTermsId"]})
        self.ids["customerId"] = customer_id = customer["id"]
        for n in range(2):  # two children, so the children list has a second page
            self.post("/customers", {"companyName": f"{secret} Branch {n}", "customerTypeId": types["Commercial"],
                                     "parentCustomerId": customer_id})
        base = f"/customers/{customer_id}"
        self.ids["contactId"] = self.post(f"{base}/contacts", {"name": f"{secret} contact", "email": self.email,
                                                               "addressEntryId": self.ids["entryId"]})["id"]
        projects = [self.post(f"{base}/projects", {"name": f"{secret} project {n}"})["id"] for n in range(2)]
        self.ids["projectId"] = projects[0]
        activities = [self.post(f"{base}/activities", {"type": "task", "title": f"{secret} task {n}",
                                                       "dueDate": f"2030-01-0{n + 1}"})["id"] for n in range(2)]
        self.ids["activityId"] = activities[0]
        orders = [self.post("/sales-orders", {
            "customerId": customer_id, "customerProjectId": projects[0],
            "lines": [{"description": f"{secret} paint", "quantity": "2", "unitPrice": "10.50"}]})["id"]
            for _ in range(2)]
        self.ids["orderId"] = orders[0]
        csv = f"companyName,customerType\n{secret} Import,Commercial\n"
        self.ids["importId"] = self.post("/imports", None, raw_body=csv, headers={"content-type": "text/csv"})["id"]
        reply = self.api.put(f"/customers/by-remote-id/QB-{org}", {"companyName": f"{secret} Remote"}, org=org)
        assert reply.status == 201, reply.body
        self.live_customers += 1
        self.ids["remoteId"] = f"QB-{org}"
        self.all_ids.add(reply.body["id"])
        self.ids["webhookId"] = webhook = self.post("/webhooks", {"url": f"https://hooks.{org}.example/clientele",
                                                                "events": ["*"]})["id"]
        pings = [self.api.post(f"/webhooks/{webhook}/ping", org=org) for _ in range(2)]  # two deliveries: a cursor
        assert [ping.status for ping in pings] == [200, 200], pings[0].body
        self.ids["deliveryId"] = pings[0].body["id"]
        self.all_ids.update(ping.body["id"] for ping in pings)
        settings = self.api.get("/settings", org=org)
        reply = self.api.put("/settings", {"defaultCountry": "GB" if org == A else "US", "defaultAreaCode": "20"},
                             org=org, headers={"If-Match": settings.etag})
        assert reply.status == 200, reply.body
        return self

    def path(self, template_path: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in self.ids, f"the tenant has no resource for {{{name}}}: add one to Tenant.build"
            return self.ids[name]

        return re.sub(r"\{(\w+)\}", value, template_path)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Api, Tenant, Tenant, Watch]]:
    """One moto table for the module (building both tenants once), torn down like the `table` fixture."""
    from tests.streams.conftest import StreamReader, drain

    with in_process.moto(event_bus=True, bucket=True) as table:
        api = Api()
        alpha, bravo = Tenant(api, A, SECRET).build(), Tenant(api, B, "bravo-own-data").build()
        drain(StreamReader(table))  # children, contact points, counters
        yield api, alpha, bravo, Watch(table)


class Watch:
    """What was written to an organisation's keys since ``mark()``, read from the table's stream (a write
    by B under ``ORG#alpha`` shows there, whatever the item)."""

    def __init__(self, table: str) -> None:
        from tests.streams.conftest import StreamReader

        self.reader = StreamReader(table)
        self.mark()

    def mark(self) -> None:
        self.reader.read_all()

    def assert_untouched(self, org: str, context: str = "") -> None:
        written = [record["dynamodb"]["Keys"] for record in self.reader.read_all()
                   if record["dynamodb"]["Keys"]["PK"]["S"].split("#")[:2] == ["ORG", org]]
        assert not written, f"{context}: wrote {org}'s items {written}"


def assert_no_leak(reply: Reply, alpha: Tenant) -> None:
    assert SECRET not in reply.raw, reply.raw[:500]
    if reply.status < 300:  # a 404's detail may echo the id B itself sent; a success must not name A's
        leaked = [value for value in alpha.all_ids if value in reply.raw]
        assert not leaked, (leaked, reply.raw[:500])


# ----------------------------------------------------------------------------- inputs B sends

# Bodies that pass validation for B, so what B meets is the lookup itself (SPEC §3: 422 comes before 404).
def _id_bodies(bravo: Tenant) -> dict[tuple[str, str], Any]:
    return {
        ("PATCH", "/customers/{customerId}"): {"notes": "bravo"},
        ("PUT", "/customers/{customerId}"): {"companyName": "Bravo", "customerTypeId": bravo.ids["customerTypeId"]},
        ("POST", "/customers/{customerId}/contacts"): {"name": "Bravo"},
        ("PATCH", "/customers/{customerId}/contacts/{contactId}"): {"title": "bravo"},
        ("POST", "/customers/{customerId}/activities"): {"type": "note", "body": "bravo"},
        ("PATCH", "/customers/{customerId}/activities/{activityId}"): {"body": "bravo"},
        ("POST", "/customers/{customerId}/projects"): {"name": "bravo"},
        ("PATCH", "/customers/{customerId}/projects/{projectId}"): {"name": "bravo"},
        ("PATCH", "/sales-orders/{orderId}"): {"status": "confirmed"},
        ("PATCH", "/address-book/{entryId}"): {"label": "bravo"},
        **{("PATCH", f"{list_path}/{{{name}}}"): {"name": "bravo"} for list_path, name in TAXONOMIES.items()},
    }


# Creating POSTs: the body a tenant sends (the same for both unless it names the tenant's own resources).
def _create_request(tenant: Tenant, path: str) -> dict[str, Any]:
    if path == "/imports":
        return {"raw_body": "companyName,customerType\nSame Import,Commercial\n", "headers": {"content-type": "text/csv"}}
    bodies: dict[str, Any] = {
        "/customers": {"companyName": "Same Name", "customerTypeId": tenant.ids["customerTypeId"]},
        "/customers/{customerId}/contacts": {"name": "Same Contact"},
        "/customers/{customerId}/activities": {"type": "note", "body": "Same note"},
        "/customers/{customerId}/projects": {"name": "Same Project"},
        "/sales-orders": {"customerId": tenant.ids["customerId"],
                          "lines": [{"description": "Same", "quantity": "1", "unitPrice": "1.00"}]},
        "/address-book": {"label": "Same Label"},
        **{list_path: {"name": "Same Entry", **ENTRY_FIELDS.get(list_path, {})} for list_path in TAXONOMIES},
        "/webhooks": {"url": "https://hooks.same.example/clientele", "events": ["customer.created"]},
    }
    assert path in bodies, f"POST {path} takes Idempotency-Key: give it a body in _create_request"
    return {"body": bodies[path]}


# ----------------------------------------------------------------------------- cases without path ids

World = tuple[Api, Tenant, Tenant, "Watch"]
Case = Callable[[World, str, str], None]
CUSTOM: dict[tuple[str, str], Case] = {}


def case(*routes: tuple[str, str]) -> Callable[[Case], Case]:
    def register(function: Case) -> Case:
        for route in routes:
            CUSTOM[route] = function
        return function

    return register


@case(("GET", "/customers"))
def _customer_list(world: World, method: str, path: str) -> None:
    api, alpha, _, _ = world
    for query in ("", "includeDeleted=true", f"q={SECRET[:5]}", f"customerTypeId={alpha.ids['customerTypeId']}",
                  f"parentCustomerId={alpha.ids['customerId']}", f"brokerId={alpha.ids['brokerId']}",
                  f"paymentTermsId={alpha.ids['paymentTermsId']}"):
        reply = api.get("/customers", org=B, query=query + "&limit=100")
        assert reply.status in (200, 422), reply.body
        assert_no_leak(reply, alpha)


@case(("POST", "/customers"))
def _customer_create_with_a_references(world: World, method: str, path: str) -> None:
    api, alpha, bravo, watch = world
    watch.mark()
    base = {"companyName": "Bravo Borrower", "customerTypeId": bravo.ids["customerTypeId"]}
    references = {"customerTypeId": "customerTypeId", "customerSegmentId": "customerSegmentId",
                  "customerCategoryId": "customerCategoryId", "brokerId": "brokerId", "parentCustomerId": "customerId",
                  "paymentTermsId": "paymentTermsId"}
    for field, name in references.items():
        value = alpha.ids[name]
        reply = api.post("/customers", {**base, field: value}, org=B)
        assert_problem(reply, 422, "validation_error")
        assert field in {error["field"] for error in reply.body["errors"]}, reply.body
        assert_no_leak(reply, alpha)
    watch.assert_untouched(A, f"{method} {path}")


@case(("GET", "/customers/match"))
def _match(world: World, method: str, path: str) -> None:
    api, alpha, _, _ = world
    assert api.get("/customers/match", org=A, query=f"email={alpha.email}").body["items"], "A must find its own"
    for query in (f"email={alpha.email}", "phone=%2B12125550101"):
        reply = api.get("/customers/match", org=B, query=query)
        assert reply.status == 200, reply.body
        assert_no_leak(reply, alpha)
        assert all(match["customer"]["id"] not in alpha.all_ids for match in reply.body["items"])


@case(("GET", "/reports/customers"))
def _report(world: World, method: str, path: str) -> None:
    api, alpha, bravo, _ = world
    for group_by in ("customerType", "customerSegment", "customerCategory", "accountState", "accountPriority"):
        mine = api.get("/reports/customers", org=A, query=f"groupBy={group_by}").body["groups"]
        theirs = api.get("/reports/customers", org=B, query=f"groupBy={group_by}")
        assert theirs.status == 200, theirs.body
        assert_no_leak(theirs, alpha)
        assert sum(group["count"] for group in mine) == alpha.live_customers
        assert sum(group["count"] for group in theirs.body["groups"]) == bravo.live_customers  # not A's + B's


@case(("GET", "/settings"), ("PUT", "/settings"))
def _settings(world: World, method: str, path: str) -> None:
    api, _, _, watch = world
    watch.mark()
    current = api.get("/settings", org=B)
    assert current.status == 200 and current.body["defaultCountry"] != "GB", current.body  # GB is A's
    if method == "PUT":
        reply = api.put("/settings", {"defaultCountry": "FR"}, org=B, headers={"If-Match": current.etag})
        assert reply.status == 200, reply.body
        assert api.get("/settings", org=B).body["defaultCountry"] == "FR"
    assert api.get("/settings", org=A).body["defaultCountry"] == "GB"
    watch.assert_untouched(A, f"{method} {path}")


@case(("GET", "/tasks"))
def _tasks(world: World, method: str, path: str) -> None:
    api, alpha, _, _ = world
    assert len(api.get("/tasks", org=A).body["items"]) == 2
    for status in ("open", "done"):
        reply = api.get("/tasks", org=B, query=f"status={status}&limit=100")
        assert reply.status == 200, reply.body
        assert_no_leak(reply, alpha)


@case(("GET", "/address-book"), *[("GET", list_path) for list_path in TAXONOMIES])
def _org_lists(world: World, method: str, path: str) -> None:
    api, alpha, _, _ = world
    assert api.get(path, org=A).body["items"]  # A has entries of its own here
    reply = api.get(path, org=B)
    assert reply.status == 200, reply.body
    assert_no_leak(reply, alpha)


@case(*[("PUT", f"{list_path}/order") for list_path in TAXONOMIES])
def _reorder_with_a_ids(world: World, method: str, path: str) -> None:
    api, alpha, _, watch = world
    list_path = path.removesuffix("/order")
    a_ids = [item["id"] for item in api.get(list_path, org=A).body["items"]]
    watch.mark()
    reply = api.put(path, {"ids": list(reversed(a_ids))}, org=B)
    assert_problem(reply, 422, "validation_error")
    assert_no_leak(reply, alpha)
    watch.assert_untouched(A, f"{method} {path}")


@case(*[("POST", list_path) for list_path in TAXONOMIES], ("POST", "/address-book"), ("POST", "/imports"))
def _creates_stay_in_their_org(world: World, method: str, path: str) -> None:
    """B's creates are B's; names are unique per organisation, not across them (the idempotency
    sweep covers the keys)."""
    api, alpha, _, watch = world
    watch.mark()
    if path in TAXONOMIES:
        reply = api.post(path, {"name": f"{SECRET} {TAXONOMIES[path]}", **ENTRY_FIELDS.get(path, {})},
                         org=B)  # A's very name
    elif path == "/imports":
        reply = api.post(path, raw_body="companyName,customerType\nBravo,Commercial\n", org=B,
                         headers={"content-type": "text/csv"})
    else:
        reply = api.post(path, {"label": f"{SECRET} office"}, org=B)
    assert reply.status in (201, 202), reply.body
    assert reply.body["id"] not in alpha.all_ids
    assert_problem(api.get(f"{path}/{reply.body['id']}", org=A), 404, "not_found")
    watch.assert_untouched(A, f"{method} {path}")


@case(("POST", "/sales-orders"))
def _order_for_a_customer(world: World, method: str, path: str) -> None:
    api, alpha, bravo, watch = world
    watch.mark()
    lines = [{"description": "x", "quantity": "1", "unitPrice": "1.00"}]
    for body in ({"customerId": alpha.ids["customerId"], "lines": lines},
                 {"customerId": bravo.ids["customerId"], "customerProjectId": alpha.ids["projectId"], "lines": lines},
                 {"customerId": bravo.ids["customerId"], "brokerId": alpha.ids["brokerId"], "lines": lines}):
        reply = api.post("/sales-orders", body, org=B)
        assert (reply.status, reply.body["code"]) in {(404, "not_found"), (422, "validation_error")}, reply.body
        assert_no_leak(reply, alpha)
    watch.assert_untouched(A, f"{method} {path}")


@case(("PUT", "/customers/by-remote-id/{remoteId}"))
def _upsert_by_a_remote_id(world: World, method: str, path: str) -> None:
    """Remote ids are unique per organisation: B's upsert with A's remote id creates B's own customer."""
    api, alpha, _, watch = world
    watch.mark()
    reply = api.put(alpha.path("/customers/by-remote-id/{remoteId}"), {"companyName": "Bravo Remote"}, org=B,
                    role="integration")
    assert reply.status == 201, reply.body
    assert reply.body["id"] not in alpha.all_ids
    assert_no_leak(reply, alpha)
    watch.assert_untouched(A, f"{method} {path}")


@case(("GET", "/integrations/quickbooks/sync"))
def _quickbooks_sync_progress(world: World, method: str, path: str) -> None:
    """B never reads A's sync state or lease (both live under ``ORG#alpha``)."""
    from clientele.store import quickbooks_sync as sync_store

    api, alpha, _, watch = world
    sync_store.update_state(A, {"status": "completed_with_errors", "mode": "full", "lastRunAt": "2026-12-01T08:00:00Z",
                                "counts": {"fetched": 7, "failed": 1},
                                "errors": [{"remoteId": "QB-alpha", "message": f"{SECRET} row"}]})
    assert sync_store.acquire_lease(A, "alpha-run", 900)
    try:
        mine = api.get(path, org=A, role="integration").body
        assert (mine["status"], mine["running"], mine["counts"]["fetched"]) == ("completed_with_errors", True, 7)
        watch.mark()
        for role in ("admin", "integration"):
            reply = api.get(path, org=B, role=role)
            assert reply.status == 200, reply.body
            assert (reply.body["status"], reply.body["running"], reply.body["counts"], reply.body["errors"]) == (
                "never_run", False, None, [])
            assert_no_leak(reply, alpha)
        watch.assert_untouched(A, f"{method} {path}")
    finally:
        sync_store.release_lease(A, "alpha-run")


@case(("POST", "/integrations/quickbooks/sync"))
def _quickbooks_sync_request(world: World, method: str, path: str) -> None:
    """B's request names B's org and B's realm, never A's, and writes nothing of A's."""
    import boto3

    from clientele.config import config
    from clientele.services.quickbooks_sync import EVENT_SOURCE

    api, alpha, bravo, watch = world
    events, sqs = boto3.client("events"), boto3.client("sqs")
    url = sqs.create_queue(QueueName="isolation-qbo-sync")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = config().event_bus_name
    events.put_rule(Name="isolation-qbo-sync", EventBusName=bus, EventPattern=json.dumps({"source": [EVENT_SOURCE]}))
    events.put_targets(Rule="isolation-qbo-sync", EventBusName=bus, Targets=[{"Id": "sqs", "Arn": arn}])

    def received() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"])["detail"] for message in messages]

    def connect(tenant: Tenant, realm: str | None) -> None:
        current = api.get("/settings", org=tenant.org)
        reply = api.put("/settings", {**current.body, "customerIntegrationEnabled": realm is not None,
                                      "integrationProvider": "quickbooks" if realm else None,
                                      "quickbooksRealmId": realm}, org=tenant.org, headers={"If-Match": current.etag})
        assert reply.status == 200, reply.body

    connect(alpha, "alpha-realm")
    try:
        watch.mark()
        off = api.post(path, {"full": True}, org=B)  # A's integration is on, B's is not
        assert_problem(off, 409, "integration_disabled")
        assert received() == []
        connect(bravo, "bravo-realm")
        watch.mark()
        reply = api.post(path, {"full": True}, org=B)
        assert reply.status == 202, reply.body
        assert received() == [{"org": B, "realmId": "bravo-realm", "full": True}]
        assert_no_leak(reply, alpha)
        watch.assert_untouched(A, f"{method} {path}")
    finally:
        connect(alpha, None)
        connect(bravo, None)


@case(("GET", "/webhooks"))
def _webhook_list(world: World, method: str, path: str) -> None:
    api, alpha, _, _ = world
    assert api.get(path, org=A).body["items"], "A must list its own"
    reply = api.get(path, org=B)
    assert reply.status == 200, reply.body
    assert_no_leak(reply, alpha)
    assert [item["id"] for item in reply.body["items"] if item["id"] in alpha.all_ids] == []


@case(("POST", "/webhooks"))
def _webhook_create_stays_in_its_org(world: World, method: str, path: str) -> None:
    """B may subscribe A's very URL: a subscription of B's, delivering B's events only."""
    api, alpha, _, watch = world
    watch.mark()
    reply = api.post(path, {"url": f"https://hooks.{A}.example/clientele", "events": ["*"]}, org=B)
    assert reply.status == 201, reply.body
    assert reply.body["id"] not in alpha.all_ids
    assert api.get(f"{path}/{reply.body['id']}", org=A).status == 404
    watch.assert_untouched(A, f"{method} {path}")


@case(("GET", "/changes"))
def _changes(world: World, method: str, path: str) -> None:
    api, alpha, _, _ = world
    settle = os.environ.get("CHANGES_SETTLE_SECONDS")
    os.environ["CHANGES_SETTLE_SECONDS"] = "0"  # hand out what is written at once
    try:
        assert api.get(path, org=A, query="limit=100").body["items"], "A must read its own changes"
        reply = api.get(path, org=B, query="limit=100")
        assert reply.status == 200, reply.body
        assert_no_leak(reply, alpha)
        assert [item for item in reply.body["items"] if item["entityId"] in alpha.all_ids] == []
    finally:
        if settle is None:
            os.environ.pop("CHANGES_SETTLE_SECONDS")
        else:
            os.environ["CHANGES_SETTLE_SECONDS"] = settle


# ----------------------------------------------------------------------------- the sweep


def test_every_route_has_an_isolation_case() -> None:
    uncovered = [f"{method} {path}" for method, path in ROUTES
                 if (method, path) not in ORG_LESS and (method, path) not in CUSTOM and not _path_names(path)]
    assert not uncovered, f"routes without a tenant-isolation case: {uncovered} (add a @case, or ORG_LESS)"
    assert set(ROUTES) >= ORG_LESS, f"ORG_LESS names routes the template no longer has: {ORG_LESS - set(ROUTES)}"
    public = {(r.method, r.path) for r in template.routes() if r.public and r.path != "$default"}
    assert public == ORG_LESS, "a public route has no organisation: list it in ORG_LESS (and SPEC §2)"
    assert CURSOR_LISTS and IDEMPOTENT_CREATES  # the document still describes both


ID_ROUTES = [r for r in ROUTES if _path_names(r[1]) and r not in CUSTOM and r not in ORG_LESS]


@pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=[f"{m} {p}" for m, p in ID_ROUTES])
def test_another_orgs_ids_are_404(world: World, method: str, path: str) -> None:
    api, alpha, bravo, watch = world
    watch.mark()
    body = _id_bodies(bravo).get((method, path))
    if method in {"POST", "PUT", "PATCH"} and body is None and not path.endswith("/restore"):
        body = {}
    for role in ("admin", "viewer") if method == "GET" and not path.startswith(ADMIN_ONLY) else ("admin",):
        reply = api.call(method, alpha.path(path), org=B, role=role, body=body, headers=IF_MATCH)
        assert_problem(reply, 404, "not_found")
        assert_no_leak(reply, alpha)
    watch.assert_untouched(A, f"B's {method} {path}")
    # ...while A itself reaches the very same resource (so the 404 is about the org, not the id).
    if method == "GET":
        assert api.call(method, alpha.path(path), org=A).status == 200


CUSTOM_ROUTES = sorted(CUSTOM)


@pytest.mark.parametrize(("method", "path"), CUSTOM_ROUTES, ids=[f"{m} {p}" for m, p in CUSTOM_ROUTES])
def test_routes_without_ids(world: World, method: str, path: str) -> None:
    CUSTOM[method, path](world, method, path)


@pytest.mark.parametrize(("method", "path"), CURSOR_LISTS, ids=[f"{m} {p}" for m, p in CURSOR_LISTS])
def test_another_orgs_cursor_is_400_bad_cursor(world: World, method: str, path: str) -> None:
    api, alpha, bravo, _ = world
    first = api.get(alpha.path(path), org=A, query="limit=1")
    assert first.status == 200, first.body
    cursor = first.body["nextCursor"]
    assert cursor, f"A's {path} needs a second item for a cursor: add one to Tenant.build"
    replayed = api.get(bravo.path(path), org=B, query=f"limit=1&cursor={cursor}")
    assert_problem(replayed, 400, "bad_cursor")
    assert_no_leak(replayed, alpha)
    # A's own cursor still works for A.
    assert api.get(alpha.path(path), org=A, query=f"limit=1&cursor={cursor}").status == 200


@pytest.mark.parametrize(("method", "path"), IDEMPOTENT_CREATES, ids=[f"{m} {p}" for m, p in IDEMPOTENT_CREATES])
def test_another_orgs_idempotency_key_is_another_key(world: World, method: str, path: str) -> None:
    api, alpha, bravo, watch = world
    key = {"Idempotency-Key": f"shared-key-{path.strip('/').replace('/', '-')}"}

    def create(tenant: Tenant) -> Reply:
        request = _create_request(tenant, path)
        headers = {**key, **request.pop("headers", {})}
        return api.call(method, tenant.path(path), org=tenant.org, headers=headers, **request)

    first = create(alpha)
    assert first.status in (201, 202), first.body
    watch.mark()
    theirs = create(bravo)
    assert theirs.status == first.status, theirs.body  # not 409 idempotency_conflict, not A's reply
    assert theirs.body["id"] != first.body["id"]
    assert_no_leak(theirs, alpha)
    watch.assert_untouched(A, f"{method} {path}")
    assert create(bravo).body["id"] == theirs.body["id"]  # B's key works for B...
    assert create(alpha).body["id"] == first.body["id"]  # ...and A's still answers A's


def test_the_watch_sees_a_write_and_nothing_else(world: World) -> None:
    """The "A untouched" assertions above can fail: a write under ORG#alpha shows (last: it edits A)."""
    api, alpha, _, watch = world
    watch.mark()
    current = api.get(f"/customers/{alpha.ids['customerId']}", org=A)
    assert api.patch(f"/customers/{alpha.ids['customerId']}", {"notes": "x"}, org=A,
                     headers={"If-Match": current.etag}).status == 200
    with pytest.raises(AssertionError, match="wrote alpha's items"):
        watch.assert_untouched(A, "self-check")
    watch.mark()
    api.get(f"/customers/{alpha.ids['customerId']}", org=A)
    watch.assert_untouched(A, "a read writes nothing")
