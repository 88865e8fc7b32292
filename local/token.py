"""Dev tokens for the local stack: HS256 JWTs signed with LOCAL_JWT_SECRET.

    python -m local.token --org acme --role admin [--hours 12]     (or: make token ORG=acme ROLE=admin)

The local gateway verifies them the way the HTTP API JWT authorizer verifies real ones (signature
and expiry) and hands the claims to the handlers at requestContext.authorizer.jwt.claims.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Sequence
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

# The documented dev default (`local-dev-secret`) is shorter than RFC 7518 recommends; these
# tokens only ever guard a loopback dev server, so the warning is noise here.
warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)

ISSUER = "clientele-local"
DEFAULT_SECRET = "local-dev-secret"
ROLES = ("admin", "editor", "viewer", "integration")
ALGORITHM = "HS256"


def secret() -> str:
    return os.environ.get("LOCAL_JWT_SECRET") or DEFAULT_SECRET


def mint(org: str, role: str = "admin", *, hours: float = 12.0, subject: str | None = None,
         key: str | None = None, **extra: Any) -> str:
    """A signed token with the claims the API reads (sub, org_id, role) plus iat, exp and iss."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject or f"{role}@{org}.local",
        "org_id": org,
        "role": role,
        "iat": now,
        "exp": now + round(hours * 3600),
        "iss": ISSUER,
        **extra,
    }
    return jwt.encode(claims, key or secret(), algorithm=ALGORITHM)


def verify(token: str, *, key: str | None = None) -> dict[str, Any]:
    """The token's claims if its HS256 signature and expiry hold; raises jwt.PyJWTError otherwise."""
    claims: dict[str, Any] = jwt.decode(
        token, key or secret(), algorithms=[ALGORITHM], options={"require": ["exp"], "verify_aud": False}
    )
    return claims


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.token", description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="acme", help="organisation id (claim org_id); default acme")
    parser.add_argument("--role", default="admin", choices=ROLES, help="role claim; default admin")
    parser.add_argument("--hours", type=float, default=12.0, help="lifetime in hours; default 12")
    parser.add_argument("--sub", default=None, help="subject claim; default <role>@<org>.local")
    args = parser.parse_args(argv)
    if not args.org.strip() or "#" in args.org or len(args.org) > 64:
        parser.error("--org must be 1..64 characters without '#'")
    if args.hours <= 0:
        parser.error("--hours must be positive")
    sys.stdout.write(mint(args.org, args.role, hours=args.hours, subject=args.sub) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
