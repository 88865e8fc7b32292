"""Countries enter as ISO 3166-1 alpha-2 codes, names or alpha-3 codes and are stored as alpha-2
(SPEC §4.3, §13): through the API, the CSV import and QuickBooks (tests/jobs/test_qbo_sync.py)."""

from __future__ import annotations

from typing import Any

import pycountry
import pytest

from clientele.domain.countries import ISO_COUNTRIES, alpha_2_code, normalise_country
from tests.jobs.test_import import bucket, run  # noqa: F401 - bucket is a fixture used below

from .helpers import customer_body


def test_the_alpha_2_list_kept_as_data_is_exactly_pycountrys() -> None:
    assert {country.alpha_2 for country in pycountry.countries} == ISO_COUNTRIES


@pytest.mark.parametrize(("given", "expected"), [
    ("USA", "US"), ("United States", "US"), ("GBR", "GB"), ("United Kingdom", "GB"), ("united kingdom", "GB"),
    ("  Saint  Kitts and Nevis ", "KN"), ("kn", "KN"), ("826", "GB"),
])
def test_names_alpha_3_and_numeric_codes_become_alpha_2(given: str, expected: str) -> None:
    assert normalise_country(given) == expected


@pytest.mark.parametrize("given", ["Atlantis", "ZZ", "U", "", "X" * 200])
def test_a_value_that_names_no_country_is_none(given: str) -> None:
    assert normalise_country(given) is None


def test_the_default_country_setting_takes_only_a_code() -> None:
    assert (alpha_2_code(" gb "), alpha_2_code("United Kingdom")) == ("GB", None)


def test_a_customer_address_given_a_country_name_is_stored_as_alpha_2(api: Any) -> None:
    reply = api.post("/customers", customer_body(billingAddress={"city": "London", "country": "United Kingdom"},
                                                 shippingAddress={"city": "Boston", "country": "USA"}))
    assert reply.status == 201, reply.body
    assert (reply.body["billingAddress"]["country"], reply.body["shippingAddress"]["country"]) == ("GB", "US")


def test_a_customer_address_whose_country_names_no_country_is_422(api: Any) -> None:
    reply = api.post("/customers", customer_body(billingAddress={"country": "Atlantis"}))
    assert reply.status == 422
    assert reply.body["code"] == "validation_error"
    assert [error["field"] for error in reply.body["errors"]] == ["billingAddress.country"]


def test_an_imported_country_name_is_stored_as_alpha_2(api: Any, bucket: str) -> None:  # noqa: F811
    status = run(api, bucket, "companyName,customerType,billingCountry\nAcme Hotels,Commercial,United States\n")
    assert (status["status"], status["rowsImported"]) == ("succeeded", 1), status
    [item] = api.get("/customers").body["items"]
    assert item["billingAddress"]["country"] == "US"
