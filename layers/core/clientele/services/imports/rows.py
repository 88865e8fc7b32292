"""One row of the CSV → a planned customer save.

The columns and the text form of their cells are ``domain/customer_columns.py``'s (the exports use the
same table). A row obeys every rule of §4.3 and §13: it becomes the same request model as POST
/customers and goes through the same :func:`plan.prepare_create`; its problems are named by the CSV
column (``customerType``, ``billingCity``, ``emails[0]``) and reported with its spreadsheet row number.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from clientele.domain.customer_columns import COLUMNS_BY_NAME, CUSTOMER_COLUMNS, cell_value
from clientele.domain.customers import CustomerFields
from clientele.domain.references import BY_KIND, IMPORT_COLUMNS
from clientele.errors import FieldError, ValidationFailed
from clientele.services.customers.plan import Plan, prepare_create
from clientele.store.catalog import Catalog

_ROW_NAMESPACE = uuid.UUID("6f0b9a53-3c2e-4c56-9d51-8e0b6f1f3a10")

REFERENCE_COLUMNS = IMPORT_COLUMNS
COLUMNS: tuple[str, ...] = tuple(column.name for column in CUSTOMER_COLUMNS)

# A record error named by its column. There is no parent column: a hierarchy error of a row can only
# come from its type's role (a member needs a parent), so it is the customerType cell's.
_ID_COLUMNS = {field_name: column for column, (_, field_name) in REFERENCE_COLUMNS.items()}
_ID_COLUMNS["parentCustomerId"] = "customerType"


def header_problems(columns: list[str]) -> tuple[list[FieldError], str | None]:
    """What is wrong with the header row (unknown or repeated columns), and the import's message."""
    unknown = [name for name in columns if name not in COLUMNS]
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    problems = [FieldError(name, "Unknown column.") for name in unknown]
    problems += [FieldError(name, "This column appears more than once.") for name in repeated]
    if unknown:
        return problems, f"Unknown columns: {', '.join(unknown)}. Known columns: {', '.join(COLUMNS)}."
    return problems, (f"Repeated columns: {', '.join(repeated)}." if repeated else None)


def row_customer_id(org: str, import_id: str, row: int) -> str:
    """Stable per row, so a resumed run finds the rows an earlier run wrote and does not write them twice."""
    return str(uuid.uuid5(_ROW_NAMESPACE, f"{org}/{import_id}/{row}"))


def _row_document(row: dict[str, str], problems: list[FieldError]) -> dict[str, Any]:
    """The row's cells as a customer document (reference columns are looked up by the caller)."""
    document: dict[str, Any] = {}
    for name, value in row.items():
        column = COLUMNS_BY_NAME.get(name)
        text = value.strip()
        if not text or column is None or column.kind == "reference":
            continue
        try:
            cell = cell_value(column, text)
        except ValueError as exc:
            problems.append(FieldError(name, str(exc)))
            continue
        if column.part is not None:
            document.setdefault(column.field, {})[column.part] = cell
        else:
            document[column.field] = cell
    return document


def plan_row(org: str, import_id: str, row_number: int, row: dict[str, str],
             catalog: Catalog) -> tuple[Plan | None, list[FieldError]]:
    """The row's planned save, or its problems (each named by its column, one per column)."""
    problems: list[FieldError] = []
    document = _row_document(row, problems)
    for column, (kind, field_name) in REFERENCE_COLUMNS.items():
        name = (row.get(column) or "").strip()
        if name:
            entry_id = catalog.id_named(kind, name)
            if entry_id is None:
                problems.append(FieldError(column, f"No {BY_KIND[kind].label} named {name!r}."))
            else:
                document[field_name] = entry_id
    try:
        fields = CustomerFields.model_validate(document)
    except ValidationError as exc:
        return None, problems + [_field_error(error) for error in exc.errors()]
    try:
        plan = prepare_create(org, fields, row_customer_id(org, import_id, row_number), source="import",
                              catalog=catalog)
    except ValidationFailed as failed:
        reported = {problem.field for problem in problems}
        problems += [error for error in map(column_error, failed.errors) if error.field not in reported]
        return None, problems
    return (None, problems) if problems else (plan, [])


def column_error(error: FieldError) -> FieldError:
    """A record error named by the CSV column (customerTypeId → customerType, billingAddress.city → billingCity)."""
    name = _ID_COLUMNS.get(error.field, error.field)
    side, _, part = name.partition(".")
    if side in ("billingAddress", "shippingAddress") and part:
        name = side.replace("Address", "") + part[:1].upper() + part[1:]
    return FieldError(name, error.message)


def _field_error(error: Any) -> FieldError:
    # ("taxIds", 0, "scheme") → "taxIds[0].scheme", as the save's own errors name list entries.
    location = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.get("loc", ()))
    location = location.removeprefix(".") or "row"
    return column_error(FieldError(location, str(error.get("msg") or "is not valid")))
