"""Where a webhook may be delivered (SPEC §11): ``https`` to a host that is, and resolves to, public
addresses only — no private, loopback, link-local, cloud-metadata, unspecified, multicast or reserved
address, so a subscription cannot make our functions reach into a network (SSRF).

The same rules run at creation (422 naming ``url``) and before every delivery, on the addresses the
name resolves to then, and the delivery connects to the very address checked (DNS rebinding:
``integrations.webhook_http``). The local stack alone (``WEBHOOK_ALLOW_LOCAL_HTTP``, never set in AWS)
also accepts ``http://127.0.0.1:<port>`` and ``http://localhost:<port>``, so tests can run receivers.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UrlRefused(ValueError):
    """The URL may not receive webhooks; the message says why, for the caller to fix."""


@dataclass(frozen=True)
class Target:
    """A URL taken apart: what the delivery connects to and what it asks for there."""

    url: str
    scheme: str
    host: str  # lower case, IDNA-encoded; an IPv6 literal without brackets
    port: int
    path: str  # path and query, as sent in the request line
    local: bool  # the local stack's loopback exception applies

    @property
    def literal(self) -> Address | None:
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


def parse(url: str, *, allow_local_http: bool = False) -> Target:
    """The URL as a delivery target, or :class:`UrlRefused`."""
    if url != url.strip() or any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise UrlRefused("A webhook URL may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"This is not a valid URL ({exc}).") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlRefused("A webhook URL needs a host, as in https://hooks.example.com/clientele.")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("A webhook URL may not carry credentials; verify the Clientele-Signature header instead.")
    if parts.fragment:
        raise UrlRefused("A webhook URL may not have a #fragment.")
    local = allow_local_http and scheme == "http" and host in LOCAL_HOSTS
    if scheme != "https" and not local:
        where = " (the local stack also allows http://127.0.0.1:<port>)" if allow_local_http else ""
        raise UrlRefused(f"A webhook URL must use https{where}.")
    if local and port is None:
        raise UrlRefused("A local http webhook URL names its port, as in http://127.0.0.1:8080/hook.")
    try:
        host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UrlRefused("The host name is not a valid internationalised domain name.") from None
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url=url, scheme=scheme, host=host, port=port or 443, path=path, local=local)


def refusal(address: Address, *, local: bool = False) -> str | None:
    """Why a delivery may not connect to ``address`` (None: it may). ``local``: the local stack's
    loopback exception, which admits loopback addresses and nothing else."""
    if local:
        return None if address.is_loopback else "not a loopback address (the local http exception is for 127.0.0.1)"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = refusal(embedded)
            return f"{reason} (inside {address})" if reason else None
        if address.teredo is not None:
            return "a Teredo tunnel address"
    if address in METADATA_ADDRESSES:
        return "the cloud metadata address"
    for reason, matches in (("unspecified", address.is_unspecified), ("a loopback address", address.is_loopback),
                            ("a link-local address", address.is_link_local), ("a multicast address", address.is_multicast),
                            ("a reserved address", address.is_reserved), ("a private address", address.is_private)):
        if matches:
            return reason
    if not address.is_global:
        return "not a public address"
    return None


def first_refusal(target: Target, addresses: list[Address]) -> str | None:
    """Why the target may not be reached at these addresses: every address must pass (a name that also
    resolves to an internal address is refused whole)."""
    for address in addresses:
        reason = refusal(address, local=target.local)
        if reason is not None:
            return f"{target.host} is {address}: {reason}" if str(address) != target.host else f"{address} is {reason}"
    return None
