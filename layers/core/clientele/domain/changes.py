"""The changes feed (SPEC §11): which changes it lists and how each is named. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

ChangeType = Literal["customer", "contact", "sales_order"]
CHANGE_TYPES: tuple[str, ...] = ChangeType.__args__  # type: ignore[attr-defined]
_ONE = "(" + "|".join(CHANGE_TYPES) + ")"
TYPES_PATTERN = rf"^\s*{_ONE}(\s*,\s*{_ONE})*\s*$"  # the `types` filter, as the OpenAPI document states it
RETENTION_SECONDS = 30 * 24 * 60 * 60
# An entry is handed out once it is older than this (docs/decisions.md: a cursor that never skips).
SETTLE_SECONDS = 5.0


def action_of(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> str:
    """created | updated | deleted | restored | merged | erased, read from the item's images."""
    if old is None:
        return "created"
    if new is None:
        return "deleted"
    if new.get("erasedAt") and not old.get("erasedAt"):
        return "erased"
    if new.get("mergedInto") and not old.get("mergedInto"):
        return "merged"
    if new.get("deletedAt") and not old.get("deletedAt"):
        return "deleted"
    if old.get("deletedAt") and not new.get("deletedAt"):
        return "restored"
    return "updated"


def parse_types(text: str | None) -> list[str] | None:
    """``customer,contact`` → those types; None (every type) when absent. Raises ValueError naming a bad one."""
    if text is None or not text.strip():
        return None
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in CHANGE_TYPES]
    if unknown:
        raise ValueError(f"Unknown type {unknown[0]!r}; use any of {', '.join(CHANGE_TYPES)}.")
    return list(dict.fromkeys(chosen))
