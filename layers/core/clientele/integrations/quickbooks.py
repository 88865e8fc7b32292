"""A small QuickBooks Online API client (stdlib ``urllib.request``; no new dependency).

* Base URLs from the environment: ``QBO_BASE_URL`` (default ``https://quickbooks.api.intuit.com``) and
  ``QBO_TOKEN_URL`` (default Intuit's OAuth2 token endpoint), so tests and the local stack can point
  it at a fake server.
* OAuth2 tokens per org in Secrets Manager, secret ``<QBO_TOKENS_SECRET_PREFIX><org>`` holding JSON
  ``{client_id, client_secret, refresh_token, access_token, expires_at}`` (``expires_at`` in epoch
  seconds). The access token is refreshed when it is (about to be) expired or a call answers 401.
  Intuit rotates the refresh token on every refresh, so the new one is written back to the secret
  *before* the access token is used; the caller holds the org's sync lease, so no two refreshes race.
* 429 and 5xx (and connection failures) are retried with exponential backoff and full jitter, never
  sooner than ``Retry-After``; after ``QBO_MAX_ATTEMPTS`` attempts :class:`QboUnavailable` is raised.
  So is a 403 whose body says ``ThrottleExceeded`` (QuickBooks' older throttling answer, often an XML
  ``IntuitResponse`` body): it is throttling, not a refusal.
* A ``Fault`` anywhere in an answer — at the top, or inside a CDC or query ``QueryResponse`` (QuickBooks
  answers 200 with the fault of one entity's query there) — is a :class:`QboError`: the caller must not
  take a partial answer for the whole change set.
* Intuit's token answer carries ``x_refresh_token_expires_in``: the refresh token's expiry is kept in
  the secret as ``refresh_expires_at`` and offered as :attr:`QboClient.refresh_token_expires_at`, so
  the sync can warn before the connection dies.
* QuickBooks allows 500 requests per minute per company (realm): every request first takes a token
  from a per-realm bucket (``QBO_REQUESTS_PER_MINUTE``, default 480, burst 10), kept per container.
  Requests are sequential, far below the 10 concurrent requests per company.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from clientele import aws

logger = logging.getLogger("clientele")

DEFAULT_BASE_URL = "https://quickbooks.api.intuit.com"
DEFAULT_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
MINOR_VERSION = "75"
_EXPIRY_MARGIN_SECONDS = 60  # refresh an access token this long before it expires
_MAX_RETRY_AFTER_SECONDS = 60.0  # QuickBooks' throttling window is a minute


class QboError(Exception):
    """QuickBooks answered with an error that retrying will not fix (4xx other than 401/429, a Fault)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class QboAuthError(QboError):
    """No usable tokens: the secret is missing or malformed, or Intuit refused the refresh token
    (the company must be reconnected)."""


class QboUnavailable(QboError):
    """Throttled or failing (429, 5xx, network) after every retry."""


@dataclass(frozen=True, slots=True)
class QboSettings:
    base_url: str
    token_url: str
    secret_prefix: str
    requests_per_minute: float
    burst: int
    max_attempts: int
    backoff_base_seconds: float
    backoff_cap_seconds: float
    timeout_seconds: float


@cache
def settings() -> QboSettings:
    import os

    env = os.environ
    return QboSettings(
        base_url=(env.get("QBO_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
        token_url=env.get("QBO_TOKEN_URL") or DEFAULT_TOKEN_URL,
        secret_prefix=env.get("QBO_TOKENS_SECRET_PREFIX") or "clientele/qbo/",
        requests_per_minute=float(env.get("QBO_REQUESTS_PER_MINUTE") or 480),
        burst=int(env.get("QBO_REQUEST_BURST") or 10),
        max_attempts=int(env.get("QBO_MAX_ATTEMPTS") or 5),
        backoff_base_seconds=float(env.get("QBO_BACKOFF_BASE_SECONDS") or 1.0),
        backoff_cap_seconds=float(env.get("QBO_BACKOFF_CAP_SECONDS") or 30.0),
        timeout_seconds=float(env.get("QBO_HTTP_TIMEOUT_SECONDS") or 30.0),
    )


def reset() -> None:
    """Forget the settings and the rate buckets (tests change the environment)."""
    settings.cache_clear()
    with _buckets_lock:
        _buckets.clear()


# ----------------------------------------------------------------------------- rate limit


class TokenBucket:
    """``rate`` tokens per second up to ``capacity``; :meth:`take` waits for one (a reservation, so
    waiting callers are served in order)."""

    def __init__(self, rate: float, capacity: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate
        self.capacity = float(max(1, capacity))
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Take one token; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


_buckets: dict[str, TokenBucket] = {}
_buckets_lock = threading.Lock()


def bucket_for(realm_id: str) -> TokenBucket:
    with _buckets_lock:
        bucket = _buckets.get(realm_id)
        if bucket is None:
            config = settings()
            bucket = _buckets[realm_id] = TokenBucket(config.requests_per_minute / 60.0, config.burst)
        return bucket


# ----------------------------------------------------------------------------- HTTP


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise QboError(f"QuickBooks answered {self.status} with a body that is not JSON", self.status) from exc


def _send(method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float) -> HttpReply:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise QboError(f"Refusing a non-HTTP URL: {url}")
    request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked
            return HttpReply(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpReply(error.code, dict(error.headers.items()), error.read())


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def backoff_seconds(attempt: int, retry_after: float | None, config: QboSettings) -> float:
    """Full jitter over an exponential ceiling, never less than the server's ``Retry-After``."""
    ceiling = min(config.backoff_cap_seconds, config.backoff_base_seconds * 2**attempt)
    delay = random.uniform(0, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, _MAX_RETRY_AFTER_SECONDS))
    return delay


def throttled(reply: HttpReply) -> bool:
    """429, or a 403 whose body (JSON or XML) names ``ThrottleExceeded`` (error code 3001)."""
    if reply.status == 429:
        return True
    return reply.status == 403 and b"throttleexceeded" in reply.body[:4000].lower()


def _retryable(reply: HttpReply) -> bool:
    return reply.status >= 500 or throttled(reply)


def _request_with_retries(method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                          config: QboSettings, before: Callable[[], None] | None = None) -> HttpReply:
    """Send, retrying 429/5xx/network failures; returns the first other reply (which may be an error)."""
    last = "no attempt made"
    for attempt in range(config.max_attempts):
        if before is not None:
            before()
        try:
            reply = _send(method, url, headers, body, config.timeout_seconds)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reply, last = None, f"{type(exc).__name__}: {exc}"
        if reply is not None and not _retryable(reply):
            return reply
        retry_after = None
        if reply is not None:
            retry_after = retry_after_seconds(reply.headers.get("Retry-After") or reply.headers.get("retry-after"))
            last = f"HTTP {reply.status}"
        if attempt + 1 < config.max_attempts:
            delay = backoff_seconds(attempt, retry_after, config)
            logger.warning("quickbooks %s %s: %s, retrying in %.2f s (attempt %d of %d)", method,
                           urllib.parse.urlsplit(url).path, last, delay, attempt + 1, config.max_attempts)
            time.sleep(delay)
    raise QboUnavailable(f"QuickBooks did not answer after {config.max_attempts} attempts ({last}).")


# ----------------------------------------------------------------------------- tokens


class TokenStore:
    """The org's OAuth2 tokens in Secrets Manager (read once per client, written on every refresh)."""

    def __init__(self, org: str, config: QboSettings) -> None:
        self.secret_id = f"{config.secret_prefix}{org}"

    def load(self) -> dict[str, Any]:
        client = aws.client("secretsmanager")
        try:
            raw = client.get_secret_value(SecretId=self.secret_id)["SecretString"]
        except client.exceptions.ResourceNotFoundException as exc:
            raise QboAuthError(f"No QuickBooks tokens stored in the secret {self.secret_id}.") from exc
        try:
            tokens = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise QboAuthError(f"The secret {self.secret_id} is not JSON.") from exc
        missing = [name for name in ("client_id", "client_secret", "refresh_token")
                   if not isinstance(tokens, dict) or not tokens.get(name)]
        if missing:
            raise QboAuthError(f"The secret {self.secret_id} lacks {', '.join(missing)}.")
        return dict(tokens)

    def save(self, tokens: Mapping[str, Any]) -> None:
        aws.client("secretsmanager").put_secret_value(SecretId=self.secret_id, SecretString=json.dumps(tokens))


def _expires_at(value: Any) -> float:
    """Epoch seconds from a number or an ISO timestamp; 0 (expired) when unreadable."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return float(value)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                return 0.0
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    return 0.0


# ----------------------------------------------------------------------------- the client


class QboClient:
    """One company (realm) of one org. Not thread-safe: one sync run uses one client."""

    def __init__(self, org: str, realm_id: str, *, config: QboSettings | None = None) -> None:
        self.org = org
        self.realm_id = realm_id
        self.config = config or settings()
        self.store = TokenStore(org, self.config)
        self._tokens: dict[str, Any] | None = None
        self.requests = 0  # API calls sent (retries included), for the run's log line

    # -- tokens

    def _access_token(self) -> str:
        if self._tokens is None:
            self._tokens = self.store.load()
        token = self._tokens.get("access_token")
        if not token or _expires_at(self._tokens.get("expires_at")) - _EXPIRY_MARGIN_SECONDS <= time.time():
            self.refresh()
            token = self._tokens.get("access_token")
        return str(token)

    def refresh(self) -> None:
        """Trade the refresh token for new tokens and store the rotated refresh token at once."""
        if self._tokens is None:
            self._tokens = self.store.load()
        tokens = self._tokens
        basic = base64.b64encode(f"{tokens['client_id']}:{tokens['client_secret']}".encode()).decode()
        body = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
        headers = {"Authorization": f"Basic {basic}", "Accept": "application/json",
                   "Content-Type": "application/x-www-form-urlencoded"}
        reply = _request_with_retries("POST", self.config.token_url, headers, body.encode(), self.config)
        if reply.status != 200:
            detail = ""
            with contextlib.suppress(QboError, AttributeError):
                detail = str(reply.json().get("error") or "")
            raise QboAuthError(f"Intuit refused the refresh token (HTTP {reply.status} {detail}); "
                               "reconnect the QuickBooks company.", reply.status)
        granted = reply.json()
        if not isinstance(granted, dict) or not granted.get("access_token"):
            raise QboAuthError("Intuit's token answer has no access_token.", reply.status)
        now = time.time()
        tokens.update(
            access_token=granted["access_token"],
            refresh_token=granted.get("refresh_token") or tokens["refresh_token"],
            expires_at=int(now + float(granted.get("expires_in") or 3600)),
        )
        refresh_lifetime = _seconds(granted.get("x_refresh_token_expires_in"))
        if refresh_lifetime is not None:  # absent: the previous expiry (if any) still applies
            tokens["refresh_expires_at"] = int(now + refresh_lifetime)
        self.store.save(tokens)  # before any use: the old refresh token may be dead already
        logger.info("quickbooks tokens refreshed for org %s (refresh token rotated: %s)", self.org,
                    bool(granted.get("refresh_token")))

    @property
    def refresh_token_expires_at(self) -> datetime | None:
        """When the stored refresh token dies (Intuit's ``x_refresh_token_expires_in``), once known."""
        if self._tokens is None or not self._tokens.get("refresh_expires_at"):
            return None
        expires = _expires_at(self._tokens.get("refresh_expires_at"))
        return datetime.fromtimestamp(expires, UTC) if expires > 0 else None

    # -- API calls

    def get(self, path: str, params: Mapping[str, str]) -> Any:
        """GET ``{base}/v3/company/{realm}/{path}`` as JSON; one token refresh on a 401."""
        query = urllib.parse.urlencode({**params, "minorversion": MINOR_VERSION}, quote_via=urllib.parse.quote)
        url = f"{self.config.base_url}/v3/company/{urllib.parse.quote(self.realm_id, safe='')}/{path}?{query}"
        bucket = bucket_for(self.realm_id)

        def before() -> None:
            bucket.take()
            self.requests += 1

        refreshed = False
        while True:
            headers = {"Authorization": f"Bearer {self._access_token()}", "Accept": "application/json"}
            reply = _request_with_retries("GET", url, headers, None, self.config, before)
            if reply.status == 401 and not refreshed:
                refreshed = True
                self.refresh()
                continue
            if reply.status == 401:
                raise QboAuthError("QuickBooks refused a freshly refreshed access token.", 401)
            if reply.status != 200:
                raise QboError(f"QuickBooks answered HTTP {reply.status} to {path}: {_fault(reply)}", reply.status)
            payload = reply.json()
            fault = find_fault(payload)
            if fault is not None:
                raise QboError(f"QuickBooks answered a Fault to {path}: {describe_fault(fault)}", reply.status)
            return payload

    def changed_customers(self, changed_since: str) -> list[dict[str, Any]]:
        """Change Data Capture: every Customer changed since then (deleted ones carry ``status``)."""
        payload = self.get("cdc", {"entities": "Customer", "changedSince": changed_since})
        found: list[dict[str, Any]] = []
        for response in (payload or {}).get("CDCResponse") or []:
            for query_response in (response or {}).get("QueryResponse") or []:
                found.extend(customer for customer in (query_response or {}).get("Customer") or []
                             if isinstance(customer, dict))
        return found

    def query_customers(self, statement: str) -> list[dict[str, Any]]:
        """One page of a ``select … from Customer`` query."""
        payload = self.get("query", {"query": statement})
        customers = ((payload or {}).get("QueryResponse") or {}).get("Customer") or []
        return [customer for customer in customers if isinstance(customer, dict)]

    def query_terms(self) -> list[dict[str, Any]]:
        """The company's sales terms (``Term``: ``Id``, ``Name``, ``DueDays``…), inactive ones too; a
        company holds a handful, far below one page."""
        payload = self.get("query", {"query": "select * from Term where Active in (true, false) MAXRESULTS 1000"})
        terms = ((payload or {}).get("QueryResponse") or {}).get("Term") or []
        return [term for term in terms if isinstance(term, dict)]


def _seconds(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


_ENTITY_LISTS_SKIPPED = ("Customer", "Term")  # entities themselves are data, never a fault


def find_fault(payload: Any, depth: int = 0) -> Any:
    """The first ``Fault`` (any case) in a QuickBooks answer — top level, a ``CDCResponse`` entry or a
    ``QueryResponse`` (list or object) — or None."""
    if depth > 4:
        return None
    if isinstance(payload, list):
        for element in payload:
            found = find_fault(element, depth + 1)
            if found is not None:
                return found
        return None
    if not isinstance(payload, dict):
        return None
    for name, value in payload.items():
        if name.lower() == "fault" and value:
            return value
    for name, value in payload.items():
        if name not in _ENTITY_LISTS_SKIPPED and isinstance(value, dict | list):
            found = find_fault(value, depth + 1)
            if found is not None:
                return found
    return None


def describe_fault(fault: Any) -> str:
    """``type: Message (code): Detail; …`` of a Fault object, for the run's error."""
    if not isinstance(fault, dict):
        return " ".join(str(fault).split())[:500]
    errors = fault.get("Error") or fault.get("error") or []
    parts = []
    for error in errors if isinstance(errors, list) else [errors]:
        if not isinstance(error, dict):
            continue
        message = error.get("Message") or error.get("message") or ""
        code = error.get("code") or error.get("Code")
        detail = error.get("Detail") or error.get("detail")
        parts.append(f"{message}{f' ({code})' if code else ''}{f': {detail}' if detail else ''}")
    kind = fault.get("type") or fault.get("Type") or "Fault"
    return f"{kind}: {'; '.join(parts) or 'no detail'}"[:1000]


def _fault(reply: HttpReply) -> str:
    text = reply.body[:500].decode("utf-8", "replace")
    return " ".join(text.split())
