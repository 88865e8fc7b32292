"""A fake QuickBooks Online server for the sync tests: real HTTP on 127.0.0.1 (a random port).

It serves the shapes Intuit documents and its sandbox returns:

* ``POST /oauth2/v1/tokens/bearer`` — refresh-token grant with HTTP Basic client credentials; every
  refresh rotates the refresh token and the previous one stops working (``invalid_grant``);
* ``GET /v3/company/<realm>/cdc?entities=Customer&changedSince=…`` —
  ``{"CDCResponse": [{"QueryResponse": [{"Customer": [...]}]}], "time": …}``; customers whose
  ``MetaData.LastUpdatedTime`` is at or after ``changedSince``, inactive ones included; more than 30
  days back is a 400 Fault, as in QuickBooks;
* ``GET /v3/company/<realm>/query?query=select * from Customer [where …] [STARTPOSITION n] [MAXRESULTS m]``
  — ``{"QueryResponse": {"Customer": [...], "startPosition": n, "maxResults": k}, "time": …}``; like
  QuickBooks, inactive customers are left out unless the query says ``Active in (true, false)``;
  ``select * from Term …`` answers the company's sales terms (``terms``, Intuit's sandbox set).

API calls need ``Authorization: Bearer <a current access token>`` (else 401). ``fail_next`` queues
answers ``(status, headers[, body])`` for the next API calls, e.g. a 429 with ``Retry-After`` (Intuit's
JSON ThrottleExceeded Fault) or a 403 with Intuit's XML ThrottleExceeded body (``qbo_fixtures``).

What Intuit sends, as the sync must meet it (shapes and sources in ``tests/jobs/qbo_fixtures.py``):
times carry the company's offset (``-07:00``, US Pacific), not ``Z``; a customer deleted or merged
away (:meth:`FakeQbo.delete`, :meth:`FakeQbo.merge`) comes back from CDC as ``{"status": "Deleted"}``
and is gone from queries; ``faults`` queues a ``Fault`` *inside* the next answer's ``QueryResponse``
(HTTP 200); the token answer carries ``x_refresh_token_expires_in`` (``refresh_token_lifetime``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .qbo_fixtures import SANDBOX_TERMS, THROTTLE_429_JSON, cdc_deleted

CLIENT_ID = "qbo-client-id"
CLIENT_SECRET = "qbo-client-secret"
REALM = "9130350"
_SELECT_TERMS = re.compile(r"select \* from Term(?: where Active in \(true, ?false\))?(?: MAXRESULTS \d+)?",
                           re.IGNORECASE)
_SELECT = re.compile(r"select \* from Customer(?: where (?P<where>.+?))?(?: STARTPOSITION (?P<start>\d+))?"
                     r"(?: MAXRESULTS (?P<max>\d+))?", re.IGNORECASE)


PACIFIC = timezone(timedelta(hours=-7))  # Intuit stamps in the company's zone: "2026-11-30T09:12:44-07:00"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(PACIFIC).isoformat(timespec="seconds")


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, str]
    at: float


@dataclass
class FakeQbo:
    realm: str = REALM
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    fail_next: list[tuple[int, dict[str, str]] | tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)  # a Fault inside the next answers' QueryResponse
    deleted: dict[str, str] = field(default_factory=dict)  # Id → when it was deleted or merged away
    refresh_token_lifetime: int = 8_726_400  # x_refresh_token_expires_in: Intuit's 101 days
    refresh_token: str = "rt-1"
    access_tokens: set[str] = field(default_factory=set)
    token_grants: int = 0
    terms: list[dict[str, Any]] = field(default_factory=lambda: [dict(term) for term in SANDBOX_TERMS])

    # -- server

    def start(self) -> FakeQbo:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                return None

            def do_GET(self) -> None:
                fake._answer(self, "GET")

            def do_POST(self) -> None:
                fake._answer(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/v1/tokens/bearer"

    # -- data

    def put(self, customer_id: str, updated: datetime | None = None, **fields: Any) -> dict[str, Any]:
        """Create or change a customer (bumps SyncToken and LastUpdatedTime, as QuickBooks does)."""
        now = updated or datetime.now(UTC)
        current = self.customers.get(customer_id)
        if current is None:
            current = {"Taxable": False, "Job": False, "BillWithParent": False, "Balance": 0,
                       "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
                       "PreferredDeliveryMethod": "Print", "IsProject": False, "domain": "QBO", "sparse": False,
                       "Id": customer_id, "SyncToken": "-1", "Active": True,
                       "MetaData": {"CreateTime": _stamp(now), "LastUpdatedTime": _stamp(now)}}
        for name, value in fields.items():
            if value is None:
                current.pop(name, None)
            else:
                current[name] = value
        current["SyncToken"] = str(int(current["SyncToken"]) + 1)
        current["MetaData"] = {**current["MetaData"], "LastUpdatedTime": _stamp(now)}
        if {"GivenName", "FamilyName", "CompanyName", "DisplayName"} & set(fields) or "DisplayName" not in current:
            display = current.get("CompanyName") or " ".join(
                part for part in (current.get("GivenName"), current.get("FamilyName")) if part)
            current.setdefault("DisplayName", display)
            current["FullyQualifiedName"] = current["PrintOnCheckName"] = current["DisplayName"]
        self.customers[customer_id] = current
        return current

    def delete(self, customer_id: str, when: datetime | None = None) -> None:
        """Deleted in QuickBooks: gone from queries, ``status: "Deleted"`` in CDC from then on."""
        self.customers.pop(customer_id, None)
        self.deleted[customer_id] = _stamp(when or datetime.now(UTC))

    def merge(self, survivor: str, merged: str) -> None:
        """``merged`` merged into ``survivor``: the merged-away one is deleted, the survivor changed."""
        self.delete(merged)
        self.put(survivor)

    def api_requests(self, path_part: str = "") -> list[Seen]:
        return [seen for seen in self.requests if "/v3/company/" in seen.path and path_part in seen.path]

    def revoke_access_tokens(self) -> None:
        self.access_tokens.clear()

    # -- HTTP

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        params = {name: values[0] for name, values in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        self.requests.append(Seen(method, parts.path, params, time.monotonic()))
        if method == "POST" and parts.path == "/oauth2/v1/tokens/bearer":
            status, payload, headers = self._token(handler.headers.get("Authorization", ""), body)
        elif method == "GET" and parts.path.startswith(f"/v3/company/{self.realm}/"):
            status, payload, headers = self._api(handler.headers.get("Authorization", ""),
                                                 parts.path.rsplit("/", 1)[1], params)
        else:
            status, payload, headers = 404, {"Fault": {"Error": [{"Message": "not found"}], "type": "ValidationFault"}}, {}
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/xml" if raw.startswith(b"<") else "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(raw)

    def _token(self, authorization: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = {name: values[0] for name, values in parse_qs(body.decode()).items()}
        if authorization != expected:
            return 401, {"error": "invalid_client"}, {}
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant"}, {}
        self.token_grants += 1
        access = f"at-{self.token_grants + 1}"
        self.refresh_token = f"rt-{self.token_grants + 1}"  # rotated: the old one is dead now
        self.access_tokens = {access}
        return 200, {"access_token": access, "refresh_token": self.refresh_token, "token_type": "bearer",
                     "expires_in": 3600, "x_refresh_token_expires_in": self.refresh_token_lifetime}, {}

    def _api(self, authorization: str, operation: str, params: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if authorization.removeprefix("Bearer ") not in self.access_tokens:
            return 401, {"fault": {"error": [{"message": "message=AuthenticationFailed; errorCode=003200",
                                              "code": "3200"}], "type": "AUTHENTICATION"}}, {}
        if self.fail_next:
            failure = self.fail_next.pop(0)
            status, headers = failure[0], failure[1]
            body: Any = failure[2] if len(failure) == 3 else THROTTLE_429_JSON
            return status, body, headers
        now = _stamp(datetime.now(UTC))
        if operation == "cdc":
            return self._cdc(params, now)
        if operation == "query":
            return self._query(params.get("query", ""), now)
        return 400, {"Fault": {"Error": [{"Message": f"Unsupported operation {operation}"}]}}, {}

    def _cdc(self, params: dict[str, str], now: str) -> tuple[int, Any, dict[str, str]]:
        since = datetime.fromisoformat(params.get("changedSince", ""))
        if params.get("entities") != "Customer":
            return 400, {"Fault": {"Error": [{"Message": "entities must be Customer here"}]}}, {}
        if since < datetime.now(UTC) - timedelta(days=30):
            return 400, {"Fault": {"Error": [{"Message": "changedSince is more than 30 days ago",
                                              "code": "2250"}], "type": "ValidationFault"}}, {}
        if self.faults:  # Intuit answers 200 with the entity's Fault inside its QueryResponse
            return 200, {"CDCResponse": [{"QueryResponse": [{"Fault": self.faults.pop(0)}]}], "time": now}, {}
        changed = [customer for customer in self._ordered()
                   if datetime.fromisoformat(customer["MetaData"]["LastUpdatedTime"]) >= since]
        changed += [cdc_deleted(customer_id, when) for customer_id, when in sorted(self.deleted.items())
                    if datetime.fromisoformat(when) >= since]
        query_response: dict[str, Any] = {"startPosition": 1, "maxResults": len(changed), "totalCount": len(changed)}
        if changed:
            query_response["Customer"] = changed
        return 200, {"CDCResponse": [{"QueryResponse": [query_response]}], "time": now}, {}

    def _query(self, statement: str, now: str) -> tuple[int, Any, dict[str, str]]:
        if _SELECT_TERMS.fullmatch(statement.strip()):
            return 200, {"QueryResponse": {"Term": self.terms, "startPosition": 1, "maxResults": len(self.terms)},
                         "time": now}, {}
        match = _SELECT.fullmatch(statement.strip())
        if match is None:
            return 400, {"Fault": {"Error": [{"Message": f"QueryParserError: {statement}"}]}}, {}
        include_inactive, ids = False, None
        for condition in re.split(r"\s+and\s+", match["where"] or "", flags=re.IGNORECASE):
            if not condition:
                continue
            if re.fullmatch(r"Active in \(true, ?false\)", condition, re.IGNORECASE):
                include_inactive = True
            elif found := re.fullmatch(r"Id in \((.+)\)", condition, re.IGNORECASE):
                ids = {value.strip().strip("'") for value in found[1].split(",")}
            else:
                return 400, {"Fault": {"Error": [{"Message": f"QueryParserError: {condition}"}]}}, {}
        rows = [customer for customer in self._ordered()
                if (include_inactive or customer.get("Active", True)) and (ids is None or customer["Id"] in ids)]
        if self.faults:
            return 200, {"QueryResponse": {"Fault": self.faults.pop(0)}, "time": now}, {}
        start, limit = int(match["start"] or 1), min(1000, int(match["max"] or 100))
        page = rows[start - 1:start - 1 + limit]
        query_response: dict[str, Any] = {}
        if page:
            query_response = {"Customer": page, "startPosition": start, "maxResults": len(page)}
        return 200, {"QueryResponse": query_response, "time": now}, {}

    def _ordered(self) -> list[dict[str, Any]]:
        return [json.loads(json.dumps(self.customers[key])) for key in sorted(self.customers, key=int)]
