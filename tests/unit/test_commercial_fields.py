"""The commercial fields' pure rules (SPEC §13): currencies through pycountry, tax ids through
python-stdnum (format and check digits, stored compact), websites, and the CSV cells of each."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import pycountry
import pytest

from clientele.domain.commercial import commercial_record
from clientele.domain.currencies import normalise_currency
from clientele.domain.customer_columns import COLUMNS_BY_NAME, CUSTOMER_COLUMNS, cell_text, cell_value
from clientele.domain.tax_ids import SCHEMES, TaxScheme, normalise_tax_ids
from clientele.domain.websites import website_problem

# --- currencies ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "code"), [("USD", "USD"), ("eur", "EUR"), (" XCD ", "XCD"), ("jpy", "JPY")])
def test_an_assigned_iso_4217_code_in_any_case_is_the_currency(given: str, code: str) -> None:
    assert normalise_currency(given) == code


@pytest.mark.parametrize("given", ["EUX", "US", "EURO", "€", "", "U$D"])
def test_anything_else_is_no_currency(given: str) -> None:
    assert normalise_currency(given) is None


def test_every_currency_pycountry_knows_is_accepted() -> None:
    assert all(normalise_currency(currency.alpha_3) == currency.alpha_3 for currency in pycountry.currencies)


# --- tax ids ---------------------------------------------------------------------------------------------

# Valid numbers, with the compact form stdnum stores (python-stdnum's own documented examples).
VALID: list[tuple[TaxScheme, str, str]] = [
    ("eu_vat", "BE 0403.019.261", "BE0403019261"),
    ("eu_vat", "be0403019261", "BE0403019261"),
    ("gb_vat", "GB 980 7806 84", "980780684"),
    ("us_ein", "04-2103594", "042103594"),
    ("ca_bn", "12302 6635", "123026635"),
    ("ca_bn", "12302 6635 RC 0001", "123026635RC0001"),
    ("au_abn", "83 914 571 673", "83914571673"),
    ("in_gst", "27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
]
# The same numbers with one digit changed: the check digits (or, for an EIN, the prefix) fail.
INVALID: list[tuple[TaxScheme, str]] = [
    ("eu_vat", "BE 0403.019.262"),
    ("eu_vat", "0403019261"),  # no country prefix
    ("gb_vat", "980 7806 85"),
    ("us_ein", "07-2103594"),
    ("ca_bn", "12302 6636"),
    ("au_abn", "83 914 571 674"),
    ("in_gst", "27AAPFU0939F1Z5"),
]


@pytest.mark.parametrize(("scheme", "given", "stored"), VALID)
def test_a_valid_tax_id_is_stored_in_its_compact_form(scheme: TaxScheme, given: str, stored: str) -> None:
    assert normalise_tax_ids([{"scheme": scheme, "value": given}]) == ([{"scheme": scheme, "value": stored}], [])


@pytest.mark.parametrize(("scheme", "given"), INVALID)
def test_a_tax_id_failing_its_schemes_check_is_an_error_naming_its_value(scheme: TaxScheme, given: str) -> None:
    entries = [{"scheme": "other", "value": "kept"}, {"scheme": scheme, "value": given}]
    _, errors = normalise_tax_ids(entries)
    assert [error.field for error in errors] == ["taxIds[1].value"]
    assert given in errors[0].message


def test_scheme_other_is_kept_as_given_trimmed_and_unchecked() -> None:
    assert normalise_tax_ids([{"scheme": "other", "value": "  CH-123.456.789 MWST "}]) == (
        [{"scheme": "other", "value": "CH-123.456.789 MWST"}], [])


def test_the_same_tax_id_twice_is_kept_once() -> None:
    entries = [{"scheme": "eu_vat", "value": "BE 0403.019.261"}, {"scheme": "eu_vat", "value": "BE0403019261"}]
    assert normalise_tax_ids(entries)[0] == [{"scheme": "eu_vat", "value": "BE0403019261"}]


def test_only_the_module_of_the_scheme_checked_is_imported() -> None:
    for name in [name for name in sys.modules if name == "stdnum.au.abn" or name.startswith("stdnum.au.")]:
        del sys.modules[name]
    normalise_tax_ids([{"scheme": "gb_vat", "value": "GB 980 7806 84"}])
    assert "stdnum.au.abn" not in sys.modules


def test_a_stored_tax_id_is_not_checked_again() -> None:
    stored = [{"scheme": "eu_vat", "value": "BE0403019261"}]
    for name in [name for name in sys.modules if name.startswith("stdnum.eu")]:
        del sys.modules[name]
    assert normalise_tax_ids(stored, stored) == (stored, [])
    assert "stdnum.eu.vat" not in sys.modules


def test_every_scheme_but_other_names_a_stdnum_module() -> None:
    assert [scheme for scheme, (module, _) in SCHEMES.items() if module is None] == ["other"]


# --- websites --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://example.com", "http://www.intuit.com", "https://bücher.de/katalog?x=1",
                                 "https://1.2.3.4:8443/"])
def test_an_http_or_https_url_with_a_host_is_a_website(url: str) -> None:
    assert website_problem(url) is None


@pytest.mark.parametrize("url", ["ftp://example.com", "https://", "www.example.com", "https://exa mple.com",
                                 "https://-bad-.com", "https://user:secret@example.com"])
def test_anything_else_is_not_a_website(url: str) -> None:
    assert website_problem(url) is not None


# --- the record --------------------------------------------------------------------------------------------


def test_a_document_without_currency_gets_the_orgs_default() -> None:
    record, errors = commercial_record({}, "EUR", None)
    assert (record["currency"], errors) == ("EUR", [])


def test_tax_exempt_is_stored_only_when_true_and_money_as_a_decimal() -> None:
    record, _ = commercial_record({"taxExempt": False, "creditLimit": "1000.50"}, "USD", None)
    assert (record["taxExempt"], record["creditLimit"]) == (None, Decimal("1000.50"))


# --- the CSV cells -----------------------------------------------------------------------------------------


def test_the_csv_holds_every_commercial_field_once() -> None:
    names = [column.name for column in CUSTOMER_COLUMNS]
    assert len(names) == len(set(names))
    assert {"currency", "paymentTerms", "taxIds", "taxExempt", "resaleNumber", "website", "creditLimit"} <= set(names)


@pytest.mark.parametrize(("column", "value"), [
    ("taxIds", [{"scheme": "eu_vat", "value": "BE0403019261"}, {"scheme": "other", "value": "X 1"}]),
    ("taxExempt", True),
    ("taxExempt", False),
    ("currency", "EUR"),
    ("creditLimit", "2500.00"),
])
def test_a_cell_an_export_writes_reads_back_as_the_same_value(column: str, value: Any) -> None:
    spec = COLUMNS_BY_NAME[column]
    assert cell_value(spec, cell_text(spec, value)) == value


def test_tax_ids_cells_are_scheme_value_pairs_separated_by_semicolons() -> None:
    assert cell_value(COLUMNS_BY_NAME["taxIds"], "eu_vat:BE 0403.019.261; GB_VAT:GB980780684") == [
        {"scheme": "eu_vat", "value": "BE 0403.019.261"}, {"scheme": "gb_vat", "value": "GB980780684"}]


def test_a_flag_cell_that_is_not_true_or_false_is_an_error() -> None:
    with pytest.raises(ValueError, match="true or false"):
        cell_value(COLUMNS_BY_NAME["taxExempt"], "maybe")
