"""The CSV import of the commercial fields (SPEC §5.2, §13): the columns of domain/customer_columns.py,
each cell under every rule of the API (currency, payment terms by name, checked tax ids, flags, money)."""

from __future__ import annotations

from typing import Any

from local.invoke import Verbs

from . import test_import as imports

bucket, run = imports.bucket, imports.run  # the import tests' S3 bucket fixture and job runner

HEADER = "companyName,customerType,currency,paymentTerms,taxIds,taxExempt,resaleNumber,website,creditLimit\n"


def _payment_terms(api: Verbs, name: str = "Net 30") -> str:
    reply = api.post("/payment-terms", {"name": name, "netDays": 30})
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


def test_commercial_columns_become_the_customers_commercial_fields(api: Verbs, bucket: str) -> None:
    terms_id = _payment_terms(api)
    result = run(api, bucket, HEADER + "Acme,Commercial,eur,net 30,\"eu_vat:BE 0403.019.261; other:X-1\",yes,"
                                      "RS-1,https://acme.example,2500.50\n")
    assert (result["rowsImported"], result["errors"]) == (1, [])
    [item] = api.get("/customers").body["items"]
    assert {name: item[name] for name in ("currency", "paymentTermsId", "taxIds", "taxExempt", "resaleNumber",
                                          "website", "creditLimit")} == {
        "currency": "EUR", "paymentTermsId": terms_id,
        "taxIds": [{"scheme": "eu_vat", "value": "BE0403019261"}, {"scheme": "other", "value": "X-1"}],
        "taxExempt": True, "resaleNumber": "RS-1", "website": "https://acme.example", "creditLimit": "2500.50"}


def test_bad_commercial_cells_are_row_errors_named_by_their_column(api: Verbs, bucket: str) -> None:
    rows = [
        "Bad Vat,Commercial,,,eu_vat:BE 0403.019.262,,,,\n",  # row 2: check digit
        "Bad Terms,Commercial,,Net 99,,,,,\n",  # row 3: no such payment terms
        "Bad Flag,Commercial,,,,perhaps,,,\n",  # row 4: not a flag
        "Bad Currency,Commercial,EUX,,,,,,\n",  # row 5: not ISO 4217
        "Bad Site,Commercial,,,,,,ftp://x.example,\n",  # row 6: not http(s)
        "Bad Money,Commercial,,,,,,,12.345\n",  # row 7: three decimals
    ]
    result = run(api, bucket, HEADER + "".join(rows))
    errors: list[dict[str, Any]] = result["errors"]
    assert [(error["row"], error["field"]) for error in errors] == [
        (2, "taxIds[0].value"), (3, "paymentTerms"), (4, "taxExempt"), (5, "currency"), (6, "website"),
        (7, "creditLimit")]
    assert result["rowsImported"] == 0
