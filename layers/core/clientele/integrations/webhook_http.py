"""Delivering one webhook request: resolve the host now, check every address it resolves to
(``domain.webhook_urls``), connect to an address that was checked — never resolve again between the
check and the connection (DNS rebinding) — and POST, all within ATTEMPT_SECONDS, following no redirect.

The standard library's ``http.client`` does the HTTP: with its connection factory pointed at the checked
address, TLS still verifies the certificate against the host name (SNI and ``check_hostname``), and it
never follows a redirect on its own. A library (requests, urllib3) would add a dependency to resolve
the name again behind our back, which is the very thing to prevent.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import cache
from typing import Any

from clientele.domain.webhook_urls import Address, Target, first_refusal
from clientele.domain.webhooks import ATTEMPT_SECONDS

_RESPONSE_BYTES = 64 * 1024  # read (and drop) at most this much of a reply, so a receiver cannot stream forever
USER_AGENT = "Clientele-Webhooks/1"

Resolver = Callable[[str, int], list[Address]]


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to: ``outcome`` is ``delivered``, ``failed`` or ``skipped`` (not sent: the
    address is not allowed)."""

    outcome: str
    status_code: int | None
    error: str | None
    milliseconds: float

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"


def system_resolver(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to now (TCP), in the resolver's order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    return list(dict.fromkeys(addresses))


# Tests replace it (a name resolving to a private address, without a DNS server that lies).
resolver: Resolver = system_resolver


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="resolve")


def resolve(target: Target, timeout: float) -> list[Address]:
    """The target's addresses (a literal is its own), within ``timeout`` seconds (getaddrinfo has none)."""
    literal = target.literal
    if literal is not None:
        return [literal]
    future = _pool().submit(resolver, target.host, target.port)
    try:
        return future.result(timeout=max(timeout, 0.01))
    except FutureTimeout:
        raise TimeoutError(f"resolving {target.host} took longer than {timeout:.0f} s") from None


def refused_now(target: Target, timeout: float = 3.0) -> str | None:
    """At creation: why the URL's host is refused as it resolves now; None when allowed or when it does
    not resolve (yet) — every delivery checks again before it connects."""
    try:
        addresses = resolve(target, timeout)
    except (OSError, TimeoutError, UnicodeError, ValueError):
        return None
    return first_refusal(target, addresses)


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _connection(target: Target, address: Address, timeout: float) -> http.client.HTTPConnection:
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(target.host, target.port, timeout=timeout, context=_tls())
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def to_checked_address(_address: tuple[str, int], timeout: float | None = None,
                           source_address: tuple[str, int] | None = None) -> socket.socket:
        return socket.create_connection((str(address), target.port), timeout, source_address)

    # The factory HTTPConnection.connect calls; TLS wraps the socket afterwards with the host name.
    connection._create_connection = to_checked_address  # type: ignore[attr-defined]
    return connection


def _abort(connection: http.client.HTTPConnection, expired: threading.Event) -> None:
    expired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def post(target: Target, body: bytes, headers: Mapping[str, str], *, seconds: float = ATTEMPT_SECONDS) -> Attempt:
    """One attempt: a 2xx within ``seconds`` (resolution included) is delivered."""
    started = time.monotonic()

    def elapsed_ms() -> float:
        return round((time.monotonic() - started) * 1000, 1)

    def remaining() -> float:
        return seconds - (time.monotonic() - started)

    try:
        addresses = resolve(target, remaining())
    except TimeoutError as exc:
        return Attempt("failed", None, str(exc), elapsed_ms())
    except (OSError, UnicodeError, ValueError) as exc:
        return Attempt("failed", None, f"could not resolve {target.host}: {exc}", elapsed_ms())
    refused = first_refusal(target, addresses)
    if refused is not None:
        return Attempt("skipped", None, f"not delivered: {refused}", elapsed_ms())
    last_error = "no address to connect to"
    for address in addresses:
        if remaining() <= 0:
            break
        try:
            status = _send(target, address, body, headers, remaining(), seconds)
        except _Unreachable as exc:  # could not connect to this address: try the next one
            last_error = str(exc)
            continue
        except _Failed as exc:
            return Attempt("failed", None, str(exc), elapsed_ms())
        if 200 <= status < 300:
            return Attempt("delivered", status, None, elapsed_ms())
        note = " (redirects are not followed)" if 300 <= status < 400 else ""
        return Attempt("failed", status, f"HTTP {status}{note}", elapsed_ms())
    if remaining() <= 0:
        last_error = f"no response within {seconds:g} s"
    return Attempt("failed", None, last_error, elapsed_ms())


class _Unreachable(Exception):
    pass


class _Failed(Exception):
    pass


def _send(target: Target, address: Address, body: bytes, headers: Mapping[str, str], budget: float,
          limit: float) -> int:
    connection = _connection(target, address, budget)
    expired = threading.Event()
    deadline = threading.Timer(budget, _abort, args=(connection, expired))  # the whole attempt, not each read
    deadline.daemon = True
    deadline.start()
    try:
        try:
            connection.connect()
        except ssl.SSLError as exc:
            raise _Failed(f"TLS failed with {target.host}: {exc.reason or exc}") from None
        except TimeoutError:
            raise _Failed(f"no connection within {limit:g} s") from None
        except OSError as exc:
            raise _Unreachable(f"could not connect to {address}: {exc.strerror or exc}") from None
        try:
            connection.request("POST", target.path, body=body, headers={**headers, "User-Agent": USER_AGENT})
            response = connection.getresponse()
            response.read(_RESPONSE_BYTES)
            return int(response.status)
        except TimeoutError:
            raise _Failed(f"no response within {limit:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set():
                raise _Failed(f"no response within {limit:g} s") from None
            raise _Failed(f"the connection failed: {type(exc).__name__}: {exc}") from None
    finally:
        deadline.cancel()
        connection.close()


def headers_for(event_id: str, event_type: str, signature: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "Clientele-Event-Id": event_id, "Clientele-Event-Type": event_type,
            "Clientele-Signature": signature}


def describe(attempt: Attempt) -> dict[str, Any]:
    """The attempt as a log line's fields."""
    return {"outcome": attempt.outcome, "status_code": attempt.status_code, "error": attempt.error,
            "duration_ms": attempt.milliseconds}
