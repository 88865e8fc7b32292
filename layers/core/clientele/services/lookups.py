"""The 404s every service answers alike: an id that cannot name anything, an item that is not there."""

from __future__ import annotations

from clientele import clock
from clientele.errors import NotFound
from clientele.store.table import Item


def require_uuid(value: str | None, what: str) -> None:
    """404 ``No such <what>.`` for an id that is not a UUID: no read is spent on it (None: not given)."""
    if value is not None and not clock.is_uuid(value):
        raise NotFound(f"No such {what}.")


def found(item: Item | None, what: str) -> Item:
    """The item read, or 404 ``No such <what>.``"""
    if item is None:
        raise NotFound(f"No such {what}.")
    return item
