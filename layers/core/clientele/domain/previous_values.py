"""``previous`` of a webhook payload (SPEC §11): the earlier values of the fields a change changed,
compared on the resource as the API shows it (both images presented the same way), so internal
attributes never appear and a field that was re-saved unchanged is not listed.

A small module of its own until the history work (SPEC §9) provides the shared image diff; then
this delegates to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def previous_values(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: value before}`` for every field whose presented value differs (``{}`` for a creation).
    A field the earlier representation did not have shows as ``None``."""
    if before is None:
        return {}
    names = [*after, *(name for name in before if name not in after)]
    return {name: before.get(name) for name in names if before.get(name) != after.get(name)}


# Fields that move on every save of a resource: a change of these alone changed nothing a reader sees.
BOOKKEEPING = frozenset({"version", "updatedAt"})


def changes_only_bookkeeping(previous: Mapping[str, Any]) -> bool:
    return bool(previous) and set(previous) <= BOOKKEEPING
