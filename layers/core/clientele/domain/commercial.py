"""A customer's commercial fields (SPEC §13) as a save stores them: ``currency``, ``taxIds``,
``taxExempt``, ``resaleNumber``, ``website`` and ``creditLimit``. (``paymentTermsId`` is a reference
field, checked with the others; ``openOrderValue`` is kept by the order transactions.)

What was stored was checked when it was saved: a currency equal to the stored one or the org's default
and tax ids equal to stored ones are not looked up again, so a save that leaves them alone imports
neither pycountry nor python-stdnum.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clientele.domain.currencies import DEFAULT_CURRENCY, normalise_currency
from clientele.domain.fields import clean_text
from clientele.domain.tax_ids import normalise_tax_ids
from clientele.domain.websites import website_problem
from clientele.errors import FieldError

COMMERCIAL_FIELDS: tuple[str, ...] = ("currency", "taxIds", "taxExempt", "resaleNumber", "website", "creditLimit")


def customer_currency(record: dict[str, Any], default_currency: str | None) -> str:
    """A stored customer's currency; one saved before currencies existed is in the org's default."""
    return str(record.get("currency") or default_currency or DEFAULT_CURRENCY)


def commercial_record(values: dict[str, Any], default_currency: str,
                      stored: dict[str, Any] | None) -> tuple[dict[str, Any], list[FieldError]]:
    """The commercial columns of the record to save from the merged document ``values``."""
    errors: list[FieldError] = []
    record: dict[str, Any] = {}

    currency = clean_text(values.get("currency"))
    known = {default_currency, (stored or {}).get("currency")}
    if currency is None:
        record["currency"] = default_currency
    elif currency in known:
        record["currency"] = currency
    else:
        record["currency"] = normalise_currency(currency)
        if record["currency"] is None:
            errors.append(FieldError("currency", "Use an ISO 4217 currency code such as USD or EUR."))

    tax_ids, tax_errors = normalise_tax_ids(values.get("taxIds"), (stored or {}).get("taxIds"))
    record["taxIds"] = tax_ids or None
    errors += tax_errors
    # Stored only when true (absent = false), so customers saved before the field read the same.
    record["taxExempt"] = True if values.get("taxExempt") is True else None
    record["resaleNumber"] = clean_text(values.get("resaleNumber"))

    website = clean_text(values.get("website"))
    problem = website_problem(website) if website else None
    if problem:
        errors.append(FieldError("website", problem))
    record["website"] = website

    limit = values.get("creditLimit")
    record["creditLimit"] = Decimal(str(limit)) if limit is not None else None
    return record, errors
