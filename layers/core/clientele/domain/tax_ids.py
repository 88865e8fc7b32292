"""A customer's tax identifiers (SPEC §13 ``taxIds``): ``[{"scheme", "value"}]``, each checked for
format and check digits by python-stdnum and stored in its compact form (``BE 0403.019.261`` →
``BE0403019261``); ``other`` is kept as given (trimmed), unchecked.

Only the one stdnum module of a scheme is imported, and only when an entry of that scheme is new or
changed: stdnum is large, and a save that keeps the stored tax ids as they are checks nothing again.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from clientele.errors import FieldError

TaxScheme = Literal["eu_vat", "gb_vat", "us_ein", "ca_bn", "au_abn", "in_gst", "other"]
# Scheme → (the stdnum module that checks it, how messages name it). ``other`` has no module.
SCHEMES: dict[str, tuple[str | None, str]] = {
    "eu_vat": ("stdnum.eu.vat", "an EU VAT number (with its country prefix, e.g. BE0403019261)"),
    "gb_vat": ("stdnum.gb.vat", "a UK VAT number"),
    "us_ein": ("stdnum.us.ein", "a US Employer Identification Number"),
    "ca_bn": ("stdnum.ca.bn", "a Canadian Business Number"),
    "au_abn": ("stdnum.au.abn", "an Australian Business Number"),
    "in_gst": ("stdnum.in_.gstin", "an Indian GSTIN"),
    "other": (None, "a tax identifier"),
}
MAX_TAX_IDS = 10
MAX_VALUE_LENGTH = 64


# One entry of ``taxIds``. (No docstring: it would become the schema's description in the document.)
class TaxId(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: TaxScheme
    value: Annotated[str, StringConstraints(min_length=1, max_length=MAX_VALUE_LENGTH, pattern=r"\S")]


TaxIds = Annotated[list[TaxId], Field(max_length=MAX_TAX_IDS)]


def _entry(raw: TaxId | Mapping[str, Any]) -> tuple[str, str]:
    if isinstance(raw, TaxId):
        return raw.scheme, raw.value.strip()
    return str(raw.get("scheme") or ""), str(raw.get("value") or "").strip()


def checked_value(scheme: str, value: str) -> str:
    """``value`` in the scheme's compact form; raises ValueError with what is wrong (stdnum's words)."""
    module_name, label = SCHEMES[scheme]
    if module_name is None:
        return value
    module: Any = importlib.import_module(module_name)
    try:
        return str(module.validate(value))
    except ValueError as exc:  # stdnum's ValidationError (InvalidChecksum, InvalidFormat, …) is a ValueError
        reason = str(getattr(exc, "message", "") or exc).rstrip(".")
        raise ValueError(f"'{value[:MAX_VALUE_LENGTH]}' is not {label}: {reason[:1].lower()}{reason[1:]}.") from exc


def normalise_tax_ids(entries: Iterable[TaxId | Mapping[str, Any]] | None,
                      stored: Iterable[Mapping[str, Any]] | None = None,
                      field: str = "taxIds") -> tuple[list[dict[str, str]], list[FieldError]]:
    """The entries checked and compacted, duplicates dropped (first kept); an entry equal to a stored
    one is taken as stored (it was checked when it was saved). Errors name ``taxIds[i].value``."""
    known = {(str(item.get("scheme")), str(item.get("value"))) for item in stored or ()}
    result: list[dict[str, str]] = []
    errors: list[FieldError] = []
    for index, raw in enumerate(entries or ()):
        scheme, value = _entry(raw)
        if scheme not in SCHEMES:
            errors.append(FieldError(f"{field}[{index}].scheme", f"Use one of: {', '.join(SCHEMES)}."))
            continue
        if not value:
            errors.append(FieldError(f"{field}[{index}].value", "Give the tax identifier."))
            continue
        if (scheme, value) not in known:
            try:
                value = checked_value(scheme, value)
            except ValueError as exc:
                errors.append(FieldError(f"{field}[{index}].value", str(exc)))
                continue
        if {"scheme": scheme, "value": value} not in result:
            result.append({"scheme": scheme, "value": value})
    return result, errors
