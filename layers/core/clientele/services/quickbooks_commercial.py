"""A QuickBooks Customer's commercial fields (SPEC §13) as the upsert document carries them.

Shapes: Intuit developer docs, QuickBooks Online API reference "Customer" (``WebAddr.URI``,
``ResaleNum``, ``Taxable``, ``CurrencyRef``, ``SalesTermRef {value[, name]}``, ``PrimaryTaxIdentifier``)
and "Term" (``Id``, ``Name``, ``DueDays``).

* ``WebAddr.URI`` → ``website`` (``https://`` put in front of a bare ``www.example.com``);
  ``ResaleNum`` → ``resaleNumber``; ``Taxable`` → ``taxExempt`` (its opposite);
  ``CurrencyRef.value`` → ``currency``.
* ``SalesTermRef`` → ``paymentTermsId`` by name: the ref's ``name`` or, as Intuit only optionally sends
  it, the name of the Term with that Id (``names`` fetches the company's terms once per run); the
  local payment terms of that name (case-insensitive). None here → a run warning.
* ``PrimaryTaxIdentifier`` (Intuit's locales GB, CA, AU, IN) → the ``taxIds`` entry of the scheme of
  the customer's country (billing, else shipping address, else the org's default country), checked by
  python-stdnum; a value that fails the check is kept as ``other`` with a warning. Intuit masks the
  value in its answers ("exposing only last five characters", ``XXXXXX56789``): a masked one is not a
  tax id and is left out with a warning. The entry replaces the stored one of its scheme; the
  customer's other tax ids stay.

These fields are not the integration's (SPEC §5.3 owns the contact fields only): users edit them here
too, so a field QuickBooks leaves empty is left out of the document (the stored value stays) — the sync
fills in what QuickBooks knows and never erases what a user saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from clientele.domain.currencies import normalise_currency
from clientele.domain.tax_ids import SCHEMES, checked_value
from clientele.domain.websites import website_problem
from clientele.store.catalog import Catalog

# Intuit's locales of PrimaryTaxIdentifier, and the US, by the customer's country.
COUNTRY_SCHEMES = {"GB": "gb_vat", "CA": "ca_bn", "AU": "au_abn", "IN": "in_gst", "US": "us_ein"}
_MASKED = re.compile(r"^X{3,}", re.IGNORECASE)


def qbo_text(value: Any) -> str | None:
    """A QuickBooks string, trimmed; empty is None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def commercial_document(raw: Mapping[str, Any], document: Mapping[str, Any], *, catalog: Catalog,
                        term_name: Callable[[str], str | None], stored_tax_ids: list[dict[str, Any]] | None,
                        warnings: list[str]) -> dict[str, Any]:
    """The commercial fields QuickBooks has a value for (``document``: the mapped contact fields)."""
    mapped: dict[str, Any] = {}
    website = _website(raw, warnings)
    if website:
        mapped["website"] = website
    if resale := qbo_text(raw.get("ResaleNum")):
        mapped["resaleNumber"] = resale
    if isinstance(raw.get("Taxable"), bool):
        mapped["taxExempt"] = not raw["Taxable"]
    currency_text = qbo_text((raw.get("CurrencyRef") or {}).get("value"))
    if currency_text:
        currency = normalise_currency(currency_text)
        if currency is None:
            warnings.append(f"currency {currency_text!r} (CurrencyRef) is not an ISO 4217 code; it was left out.")
        else:
            mapped["currency"] = currency
    terms_id = _payment_terms(raw, catalog, term_name, warnings)
    if terms_id:
        mapped["paymentTermsId"] = terms_id
    tax_id = _tax_id(raw, document, catalog, warnings)
    if tax_id is not None:
        others = [dict(entry) for entry in stored_tax_ids or [] if entry.get("scheme") != tax_id["scheme"]]
        mapped["taxIds"] = [tax_id, *others]
    return mapped


def _website(raw: Mapping[str, Any], warnings: list[str]) -> str | None:
    uri = qbo_text((raw.get("WebAddr") or {}).get("URI"))
    if uri is None:
        return None
    if "://" not in uri:
        uri = f"https://{uri}"
    problem = website_problem(uri)
    if problem:
        warnings.append(f"website (WebAddr) {uri[:200]!r}: {problem} It was left out.")
        return None
    return uri


def _payment_terms(raw: Mapping[str, Any], catalog: Catalog, term_name: Callable[[str], str | None],
                   warnings: list[str]) -> str | None:
    ref = raw.get("SalesTermRef")
    if not isinstance(ref, dict):
        return None
    term_id = qbo_text(ref.get("value"))
    name = qbo_text(ref.get("name")) or (term_name(term_id) if term_id else None)
    if name is None:
        warnings.append(f"paymentTermsId: QuickBooks has no term {term_id!r} (SalesTermRef); it was left out.")
        return None
    entry_id = catalog.id_named("terms", name)
    if entry_id is None:
        warnings.append(f"paymentTermsId: no payment terms named {name!r} here (SalesTermRef); create them "
                        "(POST /payment-terms) and the next sync of the customer links them.")
    return entry_id


def _tax_id(raw: Mapping[str, Any], document: Mapping[str, Any], catalog: Catalog,
            warnings: list[str]) -> dict[str, str] | None:
    value = qbo_text(raw.get("PrimaryTaxIdentifier"))
    if value is None:
        return None
    if _MASKED.match(value):
        warnings.append("taxIds: QuickBooks sends PrimaryTaxIdentifier masked (only its last five characters); "
                        "it was left out.")
        return None
    country = next((address.get("country") for address in (document.get("billingAddress"),
                                                             document.get("shippingAddress"))
                    if isinstance(address, dict) and address.get("country")),
                   catalog.settings.default_country if catalog.settings else None)
    scheme = COUNTRY_SCHEMES.get(str(country or ""), "other")
    if SCHEMES[scheme][0] is not None:
        try:
            return {"scheme": scheme, "value": checked_value(scheme, value)}
        except ValueError as exc:
            warnings.append(f"taxIds: PrimaryTaxIdentifier {exc} It was kept as scheme other.")
    return {"scheme": "other", "value": value}
