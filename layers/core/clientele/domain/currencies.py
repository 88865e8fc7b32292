"""Currencies as ISO 4217 alpha codes (``USD``, ``EUR``), wherever a currency enters: a customer's
``currency``, the org's ``defaultCurrency``, QuickBooks ``CurrencyRef``, the CSV import.

pycountry (the maintained ISO 4217 database) is the authority. It is imported on the first lookup, not
with this module: a save looks a currency up only when one is sent that is neither the org's default
nor the customer's stored one (both were checked when they were saved), so most saves never pay for it.
"""

from __future__ import annotations

import re
from functools import lru_cache

DEFAULT_CURRENCY = "USD"  # SPEC §13: defaultCurrency's default
CURRENCY_PATTERN = r"^\s*[A-Za-z]{3}\s*$"  # the shape the document states; the code must also be assigned
_SHAPE = re.compile(CURRENCY_PATTERN)


def normalise_currency(value: str) -> str | None:
    """The upper-cased ISO 4217 code of ``value`` (any case, surrounding spaces ignored), or None when
    it is not an assigned code."""
    if not _SHAPE.match(value):
        return None
    return _assigned(value.strip().upper())


@lru_cache(maxsize=64)
def _assigned(code: str) -> str | None:
    import pycountry  # only when a currency is looked up (see the module docstring)

    found = pycountry.currencies.get(alpha_3=code)
    return str(found.alpha_3) if found is not None else None
