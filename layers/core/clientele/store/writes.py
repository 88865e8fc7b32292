"""Derived writes the store applies (store/derived.py) and the stream's projectors produce: plain,
hashable descriptions, no I/O here. They live in the store, the lower layer, so the store does not
import the stream."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Key = tuple[str, str]  # (PK, SK)


@dataclass(frozen=True)
class IndexEntry:
    """A derived item kept as an absolute copy, stamped with its source's version.

    The newest stamp wins (a conditional put), so replays and late records cannot overwrite newer
    state; ``attributes=None`` is a tombstone that keeps its stamp, so a late put cannot resurrect
    an entry that was removed."""

    pk: str
    sk: str
    entity: str
    stamp: int
    attributes: Mapping[str, Any] | None = None

    @property
    def key(self) -> Key:
        return (self.pk, self.sk)

    @property
    def live(self) -> bool:
        return self.attributes is not None


@dataclass(frozen=True)
class Counter:
    """An item holding sums that many sources contribute to (a project's rollups, a report count)."""

    pk: str
    sk: str
    must_exist: bool = False  # a project item is never created by a counter update
    labels: tuple[tuple[str, str], ...] = ()  # attributes set on the counter item (report counters)

    @property
    def key(self) -> Key:
        return (self.pk, self.sk)


@dataclass(frozen=True)
class Contribution:
    """One source's current share of counters, stamped with the source's version.

    The writer keeps what it last applied per source (a contribution item) and adds only the
    difference to the counters, in the same transaction that stores the new share: a replayed or
    older record changes nothing, so the sums are exact."""

    pk: str
    sk: str
    stamp: int
    shares: Mapping[Counter, Mapping[str, Decimal]] = field(default_factory=dict)
    final: bool = False  # the source was removed: the contribution stays as a (expiring) tombstone

    @property
    def key(self) -> Key:
        return (self.pk, self.sk)
