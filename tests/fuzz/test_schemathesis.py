"""Schemathesis against the committed OpenAPI document, over real HTTP against the local stack.

Every operation of ``functions/health/openapi.json`` is fuzzed with a fixed seed and a small,
derandomized example budget (positive and negative inputs), as an admin of one organisation and,
for the read operations, as a viewer. Each response must:

- never be a 5xx (SPEC §3: no request, however malformed);
- have a documented content type, and errors must be ``application/problem+json`` with ``type``,
  ``title``, ``status``, ``detail`` and ``code``;
- conform to the documented schema for its status.

Random path ids almost always miss, so about three in four cases get the id of a real resource of
the fuzzing organisation (and, for writes, often its current ``If-Match``): the success paths are
fuzzed too. The choice is a function of the generated case, so runs are reproducible.

Budget: ``FUZZ_MAX_EXAMPLES`` (default 15) generated cases per operation plus the schema's examples;
raise it locally for a deeper run, e.g. ``FUZZ_MAX_EXAMPLES=200 pytest tests/fuzz``.
"""

from __future__ import annotations

import os
import re
import uuid
import zlib
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local.launch import REQUEST_TIMEOUT
from local.openapi import DOCUMENT
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

SEED = 20261122
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
PROBLEM = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def _config(max_examples: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {"mode": "all", "max-examples": max_examples, "deterministic": True, "database": "none",
                       # A failure is reported as generated (with a curl line), not shrunk: bounded time in CI.
                       "no-shrink": True,
                       # Tokens are ours to set (below); random Authorization headers only test the 401 path.
                       "with-security-parameters": False},
        "phases": {"examples": {"enabled": True}, "fuzzing": {"enabled": True},
                   "coverage": {"enabled": False}, "stateful": {"enabled": False}},
    })


schema = schemathesis.openapi.from_path(DOCUMENT, config=_config(MAX_EXAMPLES))
read_schema = schemathesis.openapi.from_path(DOCUMENT, config=_config(max(3, MAX_EXAMPLES // 3))).include(
    method="GET")


@schemathesis.check
def errors_are_problem_documents(ctx: schemathesis.CheckContext, response: schemathesis.Response,
                                 case: schemathesis.Case) -> bool | None:
    """Every 4xx/5xx is RFC 9457 problem+json with our stable fields (SPEC §3)."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.split(";")[0].strip() == PROBLEM, f"{response.status_code} answered with {content_type!r}"
    body = response.json()
    assert isinstance(body, dict), body
    missing = PROBLEM_FIELDS - body.keys()
    assert not missing, f"problem document lacks {sorted(missing)}: {body}"
    assert body["status"] == response.status_code, body
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          errors_are_problem_documents]


# ----------------------------------------------------------------------------- real resources


class World:
    """Real resources of the fuzzing organisation, keyed by the path parameter that names them.

    Made on first use; forgotten (and made again when next needed) when a fuzzed request may have
    removed one: a successful DELETE, or a whole-document PUT that reconciles a customer's contacts."""

    # What each resource hangs off, so forgetting one forgets what depends on it.
    DEPENDS = {"contactId": ("customerId", "entryId"), "activityId": ("customerId",), "projectId": ("customerId",),
               "orderId": ("customerId", "projectId"), "customerId": ("customerTypeId",),
               "deliveryId": ("webhookId",)}

    def __init__(self, stack: Stack, org: str) -> None:
        self.stack = stack
        self.org = org
        self.ids: dict[str, str] = {"remoteId": "QB-FUZZ-1"}

    def _create(self, path: str, body: Any = None, **kwargs: Any) -> str:
        reply = self.stack.post(path, org=self.org, json=body, **kwargs)
        assert reply.status_code in (201, 202), (path, reply.status_code, reply.text)
        return str(reply.json()["id"])

    def _make(self, name: str) -> str:
        tag = uuid.uuid4().hex[:8]
        if name == "customerTypeId":  # the fuzzer renames and deletes taxonomy entries: bring our own
            return self._create("/customer-types", {"name": f"World {tag}"})
        if name == "customerId":
            body = {"companyName": f"Fuzz {tag}", "customerTypeId": self["customerTypeId"]}
            first = self.stack.post("/customers", org=self.org, json=body)
            if first.status_code == 201:
                return str(first.json()["id"])
            self.forget("customerTypeId")  # fuzzed into a hierarchy role, or deactivated: use a new one
            return self._create("/customers", {**body, "customerTypeId": self["customerTypeId"]})
        base = f"/customers/{self['customerId']}" if name in self.DEPENDS else ""
        if name == "contactId":
            return self._create(f"{base}/contacts", {"name": "Grace Hopper", "addressEntryId": self["entryId"]})
        if name == "activityId":
            return self._create(f"{base}/activities", {"type": "task", "title": "Call back"})
        if name == "projectId":
            return self._create(f"{base}/projects", {"name": "Lobby refit"})
        if name == "orderId":
            return self._create("/sales-orders", {
                "customerId": self["customerId"], "customerProjectId": self["projectId"],
                "lines": [{"description": "Paint", "quantity": "2", "unitPrice": "10.50"}]})
        if name == "entryId":
            return self._create("/address-book", {"label": "Head office", "line1": "1 Main St", "country": "US"})
        lists = {"brokerId": "/brokers", "customerSegmentId": "/customer-segments",
                 "customerCategoryId": "/customer-categories"}
        if name in lists:
            return self._create(lists[name], {"name": f"World {tag}"})
        if name == "paymentTermsId":
            return self._create("/payment-terms", {"name": f"World {tag}", "netDays": 30})
        if name == "webhookId":
            return self._create("/webhooks", {"url": f"https://hooks.{tag}.example/fuzz", "events": ["*"]})
        if name == "deliveryId":  # a ping is a delivery (to a host that does not resolve: it fails, and is logged)
            reply = self.stack.post(f"/webhooks/{self['webhookId']}/ping", org=self.org)
            assert reply.status_code == 200, reply.text
            return str(reply.json()["id"])
        if name == "importId":
            return self._create("/imports", data="companyName,customerType\nFuzz Import,Commercial\n",
                                headers={"Content-Type": "text/csv"})
        raise KeyError(name)

    def __getitem__(self, name: str) -> str:
        if name not in self.ids:
            self.ids[name] = self._make(name)
        return self.ids[name]

    def knows(self, name: str) -> bool:
        return name in self.ids or name in {"customerTypeId", "customerId", "contactId", "activityId", "projectId",
                                            "orderId", "entryId", "brokerId", "customerSegmentId",
                                            "customerCategoryId", "paymentTermsId", "importId", "webhookId", "deliveryId"}

    def forget(self, name: str) -> None:
        self.ids.pop(name, None)
        for dependent, needs in self.DEPENDS.items():
            if name in needs:
                self.forget(dependent)

    def etag(self, path: str) -> str | None:
        """The current ``ETag`` of the resource at ``path`` (from its GET, or its parent's list)."""
        if path.endswith("/restore"):
            path = path.removesuffix("/restore")
        reply = self.stack.get(path, org=self.org)
        if reply.status_code == 200 and reply.headers.get("ETag"):
            return reply.headers["ETag"]
        parent, _, item_id = path.rpartition("/")
        listed = self.stack.get(parent, org=self.org, params={"limit": 100})
        if listed.status_code != 200:
            return None
        for item in listed.json().get("items", []):
            if item.get("id") == item_id:
                return f'"{item["version"]}"'
        return None


def _choice(case: schemathesis.Case) -> int:
    """A number fixed by the generated case (not by the run), so substitutions are reproducible."""
    return zlib.crc32(repr((sorted((case.path_parameters or {}).items()), case.body)).encode())


# Body fields that name another resource, and the world's resource that can stand in for them.
BODY_REFERENCES = {"customerTypeId": "customerTypeId", "customerId": "customerId", "brokerId": "brokerId",
                   "customerSegmentId": "customerSegmentId", "customerCategoryId": "customerCategoryId",
                   "customerProjectId": "projectId", "addressEntryId": "entryId", "paymentTermsId": "paymentTermsId"}


def _resource_path(case: schemathesis.Case) -> str:
    path = case.operation.path
    for name, value in (case.path_parameters or {}).items():
        path = path.replace("{" + name + "}", str(value))
    return path


def run_case(case: schemathesis.Case, stack: Stack, world: World, token: str,
             checks: list[Any] | None = None) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    params = case.path_parameters or {}
    choice = _choice(case)
    substituted = choice % 4 != 0
    if substituted:
        for name in params:
            if world.knows(name):
                params[name] = world[name]
        if isinstance(case.body, dict):
            for field, name in BODY_REFERENCES.items():
                if isinstance(case.body.get(field), str):
                    case.body[field] = world[name]
        takes_if_match = any(parameter.get("name") == "if-match"
                             for parameter in case.operation.definition.raw.get("parameters", []))
        if takes_if_match and choice % 3 != 0:
            etag = world.etag(_resource_path(case))
            if etag is not None:
                headers["If-Match"] = etag
    response = case.call_and_validate(base_url=stack.url, headers=headers, checks=checks or CHECKS, timeout=REQUEST_TIMEOUT)
    if substituted and response.status_code < 300:
        method = case.method.upper()
        if method == "DELETE":
            world.forget(list(params)[-1])
        elif method == "PUT" and case.operation.path == "/customers/{customerId}":
            world.forget("contactId")  # the document's contacts list replaced the customer's contacts


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    return World(stack, f"fuzz-{uuid.uuid4().hex[:8]}")


@schema.parametrize()
def test_every_operation_as_admin(case: schemathesis.Case, stack: Stack, world: World) -> None:
    run_case(case, stack, world, stack.token(world.org, "admin"))


@read_schema.parametrize()
def test_every_read_as_viewer(case: schemathesis.Case, stack: Stack, world: World) -> None:
    run_case(case, stack, world, stack.token(world.org, "viewer"))


def test_the_fuzzed_document_is_the_committed_one(stack: Stack) -> None:
    """What the stack serves is what was fuzzed (the committed document is kept in sync by
    tests/contract/test_openapi.py)."""
    served = requests.get(f"{stack.url}/openapi.json", timeout=REQUEST_TIMEOUT).json()
    assert served["paths"].keys() == schema.raw_schema["paths"].keys()
    assert re.fullmatch(r"3\.\d+\.\d+", served["openapi"])
