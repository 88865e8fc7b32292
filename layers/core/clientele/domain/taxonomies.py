"""The five per-organisation taxonomies (SPEC §4.2, §13) and the default customer types."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clientele.domain.names import fold
from clientele.domain.references import BY_KIND, Kind, ReferenceField

MAX_ENTRIES = 99
COLORS = ("green", "blue", "yellow", "red", "purple", "gray", "orange", "teal", "pink", "brown", "black")
HIERARCHY_ROLES = ("none", "purchaser", "member")

# Each list's path, label and delete rule: its row in the table of reference fields.
SPECS: dict[Kind, ReferenceField] = BY_KIND

DEFAULT_TYPES: tuple[tuple[str, str], ...] = (
    ("Residential", "green"),
    ("Commercial", "blue"),
    ("Government", "yellow"),
)


# --- rules shared by the five lists ------------------------------------------------------------------


def name_taken(entries: Iterable[Mapping[str, Any]], name: str, except_id: str | None = None) -> bool:
    """True when another entry's name equals ``name`` after Unicode case folding."""
    wanted = fold(name)
    return any(entry["id"] != except_id and fold(str(entry.get("name") or "")) == wanted for entry in entries)


def sort_order_taken(entries: Iterable[Mapping[str, Any]], sort_order: int,
                     except_id: str | None = None) -> bool:
    return any(entry["id"] != except_id and int(entry.get("sortOrder", -1)) == sort_order
               for entry in entries)


def next_sort_order(entries: Iterable[Mapping[str, Any]]) -> int:
    """A new entry goes last: one past the highest sort order, or 0 in an empty list."""
    return max((int(entry.get("sortOrder", 0)) for entry in entries), default=-1) + 1


def order_problem(current_ids: Iterable[str], ids: Sequence[str]) -> str | None:
    """Why ``ids`` is not a reordering of ``current_ids`` (every id exactly once), or None."""
    current = set(current_ids)
    repeated = sorted(entry_id for entry_id, count in Counter(ids).items() if count > 1)
    unknown = sorted(set(ids) - current)
    missing = sorted(current - set(ids))
    problems = []
    if repeated:
        problems.append(f"listed more than once: {_some(repeated)}")
    if unknown:
        problems.append(f"not in this list: {_some(unknown)}")
    if missing:
        problems.append(f"missing: {_some(missing)}")
    if not problems:
        return None
    return "Give every id of the list exactly once; " + "; ".join(problems) + "."


def _some(ids: list[str], shown: int = 5) -> str:
    more = len(ids) - shown
    return ", ".join(ids[:shown]) + (f" and {more} more" if more > 0 else "")
