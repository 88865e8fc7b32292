"""The customers CSV's columns (SPEC §5.2, §13), in one table: the import reads them, and an export
must write the very same ones (SPEC §12: an export imports back unchanged), so both take the columns
and the text form of each cell from here.

* ``text``: the cell is the field's value (emails and phones may hold several, comma-separated);
* ``reference``: the cell names a taxonomy entry (its id is looked up in the org's catalog) — the
  reference fields of ``domain/references.py`` marked ``imported``;
* an address part: ``billingCity`` is ``billingAddress.city``;
* ``tax_ids``: ``scheme:value`` pairs separated by ``;`` (``eu_vat:BE0403019261; gb_vat:GB980780684``);
* ``flag``: ``true``/``false`` (also ``yes``/``no``, ``1``/``0``); empty is false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from clientele.domain.references import REFERENCE_FIELDS

ColumnKind = Literal["text", "reference", "tax_ids", "flag"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the header cell
    field: str  # the customer document field it fills
    part: str | None = None  # the address part, for billing…/shipping… columns
    kind: ColumnKind = "text"


_ADDRESS_PARTS = {"Line1": "line1", "Line2": "line2", "City": "city", "Region": "region", "Postcode": "postcode",
                  "Country": "country"}

CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column("firstName", "firstName"),
    Column("lastName", "lastName"),
    Column("companyName", "companyName"),
    *(Column(reference.name, reference.field, kind="reference") for reference in REFERENCE_FIELDS
      if reference.imported),
    Column("emails", "emails"),
    Column("phones", "phones"),
    Column("accountState", "accountState"),
    Column("accountPriority", "accountPriority"),
    Column("discountRate", "discountRate"),
    Column("notes", "notes"),
    *(Column(f"{side}{suffix}", f"{side}Address", part) for side in ("billing", "shipping")
      for suffix, part in _ADDRESS_PARTS.items()),
    Column("currency", "currency"),
    Column("taxIds", "taxIds", kind="tax_ids"),
    Column("taxExempt", "taxExempt", kind="flag"),
    Column("resaleNumber", "resaleNumber"),
    Column("website", "website"),
    Column("creditLimit", "creditLimit"),
)
COLUMNS_BY_NAME: dict[str, Column] = {column.name: column for column in CUSTOMER_COLUMNS}

_TRUE, _FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})


def cell_value(column: Column, text: str) -> Any:
    """The document value of a (non-empty, trimmed) cell; ValueError when a flag is not one."""
    if column.kind == "tax_ids":
        entries = []
        for pair in text.split(";"):
            if pair.strip():
                scheme, _, value = pair.partition(":")
                entries.append({"scheme": scheme.strip().lower(), "value": value.strip()})
        return entries
    if column.kind == "flag":
        word = text.strip().lower()
        if word not in _TRUE | _FALSE:
            raise ValueError("Use true or false.")
        return word in _TRUE
    return text


def cell_text(column: Column, value: Any) -> str:
    """The cell an export writes for a stored value (``cell_value`` reads it back as the same value);
    reference columns hold the entry's name, which only the caller's catalog knows."""
    if value is None or value == [] or value == {}:
        return ""
    if column.kind == "tax_ids":
        entries: Iterable[Mapping[str, Any]] = value
        return "; ".join(f"{entry['scheme']}:{entry['value']}" for entry in entries)
    if column.kind == "flag":
        return "true" if value else "false"
    if column.part is not None:
        return str((value or {}).get(column.part) or "")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
