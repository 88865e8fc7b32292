"""Who is calling: claims from the HTTP API JWT authorizer, or (local only) a verified HS256 token.

In AWS the authorizer has verified the token and placed its claims in the request context.
`sam local start-api` and tests invoke handlers without an authorizer; only then, and only when
LOCAL_JWT_SECRET is set (never in AWS), the bearer token is verified here the same way.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clientele.config import config
from clientele.errors import Forbidden, Unauthorized

ROLES = frozenset({"admin", "editor", "viewer", "integration"})
READERS = ROLES
WRITERS = frozenset({"admin", "editor"})
ADMINS = frozenset({"admin"})
UPSERTERS = frozenset({"admin", "integration"})
# Who watches the QuickBooks sync (GET /integrations/quickbooks/sync): the admin who connected it and
# the integration account itself; editors and viewers see the synced customers, not the job.
SYNC_WATCHERS = frozenset({"admin", "integration"})


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    org: str
    role: str


_current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)
_lambda_context: contextvars.ContextVar[Any] = contextvars.ContextVar("lambda_context", default=None)


def current_lambda_context() -> Any:
    """The invocation's Lambda context (remaining time feeds the idempotency in-progress expiry)."""
    return _lambda_context.get()


def current_principal() -> Principal:
    principal = _current.get()
    if principal is None:  # only reachable if a handler forgot its entrypoint
        raise Unauthorized("No authenticated caller.")
    return principal


def set_principal(principal: Principal | None, lambda_context: Any = None) -> None:
    _current.set(principal)
    _lambda_context.set(lambda_context)


def authenticate(event: Mapping[str, Any]) -> Principal:
    claims = _authorizer_claims(event)
    if claims is None:
        claims = _locally_verified_claims(event)
    return _principal_from(claims)


def authorize(principal: Principal, allowed: frozenset[str]) -> None:
    if principal.role not in allowed:
        raise Forbidden(f"The role '{principal.role}' may not do this; it needs one of: {', '.join(sorted(allowed))}.")


def _authorizer_claims(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    return claims if isinstance(claims, Mapping) and claims else None


def _locally_verified_claims(event: Mapping[str, Any]) -> Mapping[str, Any]:
    secret = config().local_jwt_secret
    if not secret:
        raise Unauthorized("Missing or invalid bearer token.")
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    scheme, _, token = str(headers.get("authorization", "")).partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send 'Authorization: Bearer <token>' (run `make token` for a local one).")
    import jwt

    try:
        claims: dict[str, Any] = jwt.decode(
            token.strip(), secret, algorithms=["HS256"], options={"require": ["exp", "sub"], "verify_aud": False}
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"The bearer token is not valid: {exc}.") from exc
    return claims


def _principal_from(claims: Mapping[str, Any]) -> Principal:
    # Cognito's pre-token-generation trigger may add plain or `custom:`-prefixed claims.
    org = claims.get("org_id") or claims.get("custom:org_id")
    role = claims.get("role") or claims.get("custom:role")
    subject = claims.get("sub")
    if not isinstance(org, str) or not org.strip() or len(org) > 64 or "#" in org:
        raise Unauthorized("The token carries no usable org_id claim.")
    if not isinstance(subject, str) or not subject:
        raise Unauthorized("The token carries no sub claim.")
    if role not in ROLES:
        raise Forbidden(f"The token's role must be one of: {', '.join(sorted(ROLES))}.")
    return Principal(subject=subject, org=org.strip(), role=str(role))
