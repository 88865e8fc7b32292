"""The customer's references into the org's taxonomy lists (SPEC §4.2), one row each.

Everything that enumerates them derives from ``REFERENCE_FIELDS``: the taxonomy kinds and their
API paths, the reference checks of a customer save, SET NULL, the list filters and facet indexes
(``store.keys.FACETS`` adds the index per field), report ``groupBy`` dimensions and the import's
by-name columns. A new reference is one row here (as payment terms were, SPEC §13); a facet index for it
is one row in ``store/keys.py`` and one GSI in template.yaml, and the contract tests say when one is
missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# A Literal must be spelled out for the type checker; tests/unit/test_reference_fields.py checks
# that it lists exactly the kinds of the table below.
Kind = Literal["type", "segment", "broker", "category", "terms"]
OnDelete = Literal["restrict", "set_null"]


@dataclass(frozen=True, slots=True)
class ReferenceField:
    kind: Kind  # the taxonomy list the reference points into
    field: str  # the customer attribute holding the entry id: list filter, facet, SET NULL target
    name: str  # the reference by name: report ``groupBy`` value and import column
    path: str  # the list's API collection
    label: str  # how messages name an entry of the list
    on_delete: OnDelete  # deleting a referenced entry is refused (restrict) or clears the references
    reported: bool  # a ``groupBy`` dimension of GET /reports/customers
    imported: bool  # a CSV import column (entries named, not given by id)


# Row order is the order of validation errors in a customer save and of the import's columns.
REFERENCE_FIELDS: tuple[ReferenceField, ...] = (
    ReferenceField("type", "customerTypeId", "customerType", "/customer-types", "customer type", "restrict",
                   reported=True, imported=True),
    ReferenceField("segment", "customerSegmentId", "customerSegment", "/customer-segments", "customer segment",
                   "set_null", reported=True, imported=True),
    ReferenceField("category", "customerCategoryId", "customerCategory", "/customer-categories", "customer category",
                   "set_null", reported=True, imported=False),
    ReferenceField("broker", "brokerId", "broker", "/brokers", "broker", "set_null", reported=False, imported=False),
    ReferenceField("terms", "paymentTermsId", "paymentTerms", "/payment-terms", "payment terms", "set_null",
                   reported=True, imported=True),
)

KINDS: tuple[Kind, ...] = tuple(reference.kind for reference in REFERENCE_FIELDS)
BY_KIND: dict[Kind, ReferenceField] = {reference.kind: reference for reference in REFERENCE_FIELDS}
# Customer field → the list its id must be an entry of.
KIND_OF_FIELD: dict[str, Kind] = {reference.field: reference.kind for reference in REFERENCE_FIELDS}
# Taxonomy kind → the customer field a SET NULL clears when an entry of the list is deleted.
SET_NULL_KINDS: dict[str, str] = {reference.kind: reference.field for reference in REFERENCE_FIELDS
                                  if reference.on_delete == "set_null"}
# Import column → (list, customer field): the column names an entry, the row stores its id.
IMPORT_COLUMNS: dict[str, tuple[Kind, str]] = {reference.name: (reference.kind, reference.field)
                                               for reference in REFERENCE_FIELDS if reference.imported}
# Report dimension → the list whose entries are the groups.
REPORTED_KINDS: dict[str, Kind] = {reference.name: reference.kind for reference in REFERENCE_FIELDS
                                   if reference.reported}
