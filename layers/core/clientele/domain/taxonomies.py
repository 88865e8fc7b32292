"""The four per-organisation taxonomies (SPEC §4.2) and the default customer types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["type", "segment", "broker", "category"]
KINDS: tuple[Kind, ...] = ("type", "segment", "broker", "category")
MAX_ENTRIES = 99
COLORS = ("green", "blue", "yellow", "red", "purple", "gray", "orange", "teal", "pink", "brown", "black")
HIERARCHY_ROLES = ("none", "purchaser", "member")


@dataclass(frozen=True, slots=True)
class TaxonomySpec:
    kind: Kind
    path: str
    label: str
    on_delete: Literal["restrict", "set_null"]


SPECS: dict[Kind, TaxonomySpec] = {
    "type": TaxonomySpec("type", "/customer-types", "customer type", "restrict"),
    "segment": TaxonomySpec("segment", "/customer-segments", "customer segment", "set_null"),
    "broker": TaxonomySpec("broker", "/brokers", "broker", "set_null"),
    "category": TaxonomySpec("category", "/customer-categories", "customer category", "set_null"),
}

DEFAULT_TYPES: tuple[tuple[str, str], ...] = (
    ("Residential", "green"),
    ("Commercial", "blue"),
    ("Government", "yellow"),
)
