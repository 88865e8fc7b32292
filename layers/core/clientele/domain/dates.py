"""Calendar dates (`YYYY-MM-DD`) and instants (ISO 8601, stored in UTC with fixed width)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _calendar_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("Use a calendar date YYYY-MM-DD.") from exc
    return value


def _instant(value: str) -> str:
    try:
        return normalise_instant(value)
    except (ValueError, OverflowError) as exc:
        raise ValueError("Use an ISO 8601 timestamp such as 2026-11-22T08:30:00Z.") from exc


def normalise_instant(value: str) -> str:
    """UTC with milliseconds (`2026-11-22T08:30:00.000Z`): one width, so keys sort by time.
    A timestamp without an offset is read as UTC."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    utc = parsed.astimezone(UTC)
    if utc.year < 1900:
        raise ValueError("too early")
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def is_calendar_date(value: str) -> bool:
    try:
        _calendar_date(value)
    except ValueError:
        return False
    return len(value) == 10


IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_calendar_date)]
Instant = Annotated[str, StringConstraints(max_length=40), AfterValidator(_instant)]
