"""Customer names: the required-name rule, the computed display name and its sort key."""

from __future__ import annotations

# DynamoDB sort keys hold at most 1,024 bytes; a folded name is cut well below that (CJK
# characters take 3 bytes in UTF-8) and the id appended keeps keys unique.
_MAX_SORT_NAME_BYTES = 600


def _clean(value: str | None) -> str:
    return " ".join(value.split()) if value else ""


def display_name(first_name: str | None, last_name: str | None, company_name: str | None) -> str:
    """`First Last (Company)`, `Company`, or `First Last`; missing parts leave no stray spaces."""
    person = " ".join(part for part in (_clean(first_name), _clean(last_name)) if part)
    company = _clean(company_name)
    if person and company:
        return f"{person} ({company})"
    return person or company


def has_required_name(first_name: str | None, company_name: str | None) -> bool:
    return bool(_clean(first_name) or _clean(company_name))


def fold(value: str) -> str:
    """Case-insensitive comparison form (Unicode case folding, whitespace collapsed)."""
    return " ".join(value.split()).casefold()


def sort_name(name: str) -> str:
    folded = fold(name)
    encoded = folded.encode("utf-8")
    if len(encoded) <= _MAX_SORT_NAME_BYTES:
        return folded
    return encoded[:_MAX_SORT_NAME_BYTES].decode("utf-8", errors="ignore")
