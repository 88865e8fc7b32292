"""Email lists: validated, lower-cased, de-duplicated, main one first."""

from __future__ import annotations

import re

from clientele.errors import FieldError

# Pragmatic address check (RFC 5321 lengths, one @, dotted domain, no spaces or angle brackets).
# Letters and digits of any script are allowed in both parts: internationalised addresses
# (RFC 6531, e.g. josé@exämple.de) are customers' real addresses.
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"  # a letter or digit at each end, hyphens between
_EMAIL = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+@" + _LABEL + r"(?:\." + _LABEL + r")+$")
MAX_ENTRIES = 10  # SPEC §7.1: emails ≤ 10, phones ≤ 10 (the document says maxItems)


def split_list(value: str | list[str] | None) -> list[str]:
    """Accept a list or one comma-separated string; blank entries are dropped."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if item and item.strip()]


def normalise_email(value: str) -> str | None:
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or len(email.split("@")[0]) > 64:
        return None
    return email


def normalise_emails(value: str | list[str] | None, field: str = "emails") -> tuple[list[str], list[FieldError]]:
    result: list[str] = []
    errors: list[FieldError] = []
    entries = split_list(value)
    if len(entries) > MAX_ENTRIES:
        return [], [FieldError(field, f"At most {MAX_ENTRIES} addresses are allowed.")]
    for index, entry in enumerate(entries):
        email = normalise_email(entry)
        if email is None:
            errors.append(FieldError(f"{field}[{index}]", f"'{entry[:100]}' is not a valid email address."))
        elif email not in result:
            result.append(email)
    return result, errors
