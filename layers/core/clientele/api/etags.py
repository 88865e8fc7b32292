"""ETag / If-Match for versioned resources (SPEC §3)."""

from __future__ import annotations

import re

from clientele.errors import PreconditionRequired

_VERSION = re.compile(r'^\s*(?:W/)?"(\d{1,18})"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def required_version(if_match: str | None) -> int:
    """The version named by If-Match; missing, `*` or unreadable → 428 telling what to send."""
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        raise PreconditionRequired('Send If-Match: "<version>" with the ETag you last read.')
    match = _VERSION.match(if_match)
    if match is None:
        raise PreconditionRequired(f'If-Match must look like "3" or W/"3"; got {if_match[:40]!r}.')
    return int(match.group(1))
