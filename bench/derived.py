"""How soon derived data shows in the local stack (SPEC §6: "derived data visible within 2 s"), for
`make bench`: over real HTTP against `python -m local.server` (what `make dev` runs), each figure is the
time from a write's reply until a GET shows what the stream processor derives from it
(``local.polling.seconds_until``). The e2e tests only wait for the same effects, with a generous bound:
a timing is a figure, never a test's assertion.

`python -m bench.derived` prints only these figures.
"""

from __future__ import annotations

import json
import os
import statistics
import uuid
from collections.abc import Callable
from typing import Any

import requests

from local.launch import REQUEST_TIMEOUT, ServerProcess
from local.polling import seconds_until

ROUNDS = int(os.environ.get("BENCH_DERIVED_ROUNDS", "5"))
TARGET_SECONDS = 2.0
SECRET = "bench-derived-local-jwt-secret-0123456789"
METHOD = (
    "python -m local.server on a free port (the stream poller reads every 0.25 s); per round a new org: "
    "a child created under a parent (children), an email changed (match), a customer created (report), an "
    "order in a project (project rollup); each figure is wall seconds from the write's reply until the GET "
    "shows the derived data, polled every 50 ms; p50 and max over {rounds} rounds, on a shared machine."
)


class _Client:
    """Requests to the launched stack as one org's admin."""

    def __init__(self, session: requests.Session, url: str, org: str) -> None:
        from local import token

        self.session, self.url = session, url
        self.headers = {"Authorization": f"Bearer {token.mint(org, 'admin', key=SECRET)}"}

    def call(self, method: str, path: str, body: Any = None, *, version: int | None = None,
             params: dict[str, str] | None = None) -> Any:
        headers = {**self.headers, **({"If-Match": f'"{version}"'} if version is not None else {})}
        reply = self.session.request(method, self.url + path, json=body, params=params, headers=headers,
                                     timeout=REQUEST_TIMEOUT)
        assert reply.status_code < 300, (method, path, reply.status_code, reply.text)
        return reply.json() if reply.content else None


def _round(client: _Client) -> dict[str, float]:
    types = {entry["name"]: entry["id"] for entry in client.call("GET", "/customer-types")["items"]}
    kind = types["Commercial"]
    parent = client.call("POST", "/customers", {"companyName": "Parent", "customerTypeId": kind})
    child = client.call("POST", "/customers", {"companyName": "Child", "customerTypeId": kind,
                                               "parentCustomerId": parent["id"]})

    def reading(path: str, shown: Callable[[Any], Any], **params: str) -> Callable[[], Any]:
        return lambda: shown(client.call("GET", path, params=params))

    figures = {"children": seconds_until(
        reading(f"/customers/{parent['id']}/children", lambda body: [item["id"] for item in body["items"]]),
        [child["id"]])}
    client.call("PATCH", f"/customers/{child['id']}", {"emails": "found@bench.test"}, version=child["version"])
    figures["match"] = seconds_until(
        reading("/customers/match", lambda body: [item["customer"]["id"] for item in body["items"]],
                email="found@bench.test"), [child["id"]])
    client.call("POST", "/customers", {"companyName": "Third", "customerTypeId": kind})
    figures["report"] = seconds_until(
        reading("/reports/customers", lambda body: {group["name"]: group["count"] for group in body["groups"]},
                groupBy="customerType"), lambda counts: counts.get("Commercial") == 3)
    project = client.call("POST", f"/customers/{parent['id']}/projects", {"name": "Fit-out"})
    client.call("POST", "/sales-orders", {"customerId": parent["id"], "customerProjectId": project["id"],
                                          "lines": [{"description": "x", "quantity": 2, "unitPrice": "12.50"}]})
    figures["projectRollup"] = seconds_until(
        reading(f"/customers/{parent['id']}/projects/{project['id']}",
                lambda body: (body["orderCount"], body["orderValue"])), (1, "25.00"))
    return figures


def measure_derived() -> dict[str, Any]:
    server = ServerProcess(variables={"LOCAL_JWT_SECRET": SECRET, "TABLE_NAME": "clientele-bench-derived"})
    try:
        server.wait_ready()
        with requests.Session() as session:
            rounds = [_round(_Client(session, server.url, f"bench-derived-{uuid.uuid4().hex[:8]}"))
                      for _ in range(ROUNDS)]
    finally:
        server.stop()
    kinds = list(rounds[0])
    return {
        "method": METHOD.format(rounds=ROUNDS),
        "rounds": ROUNDS,
        "targetSeconds": TARGET_SECONDS,
        "secondsP50": {kind: round(statistics.median(r[kind] for r in rounds), 2) for kind in kinds},
        "secondsMax": {kind: round(max(r[kind] for r in rounds), 2) for kind in kinds},
    }


def print_derived(figures: dict[str, Any]) -> None:
    shown = ", ".join(f"{kind} {p50} s (max {figures['secondsMax'][kind]} s)"
                      for kind, p50 in figures["secondsP50"].items())
    print(f"\nDerived data visible in the local stack after a write (target {figures['targetSeconds']:g} s): {shown}")
    print(f"  measured as: {figures['method']}")


if __name__ == "__main__":
    measured = measure_derived()
    print_derived(measured)
    print(json.dumps(measured, indent=2))
