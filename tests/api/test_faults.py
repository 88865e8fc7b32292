"""Faults in DynamoDB: throttling and 5xx become 503 problem+json with Retry-After; a cancelled
transaction leaves nothing behind (SPEC §3: no request gets a 5xx it could avoid)."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from clientele import aws
from local.invoke import Verbs
from tests.api.parts import assert_problem

from .helpers import customer_body


def _error(code: str, operation: str, status: int = 400, **extra: Any) -> botocore.exceptions.ClientError:
    response: Any = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}, **extra}
    return botocore.exceptions.ClientError(response, operation)


@pytest.fixture
def faulty(api: Verbs, monkeypatch: pytest.MonkeyPatch) -> dict[str, Exception]:
    """Make chosen DynamoDB operations fail as AWS would after botocore's own retries."""
    client: Any = aws.dynamodb()  # botocore's private _make_api_call is not in the stubs
    real = client._make_api_call
    failures: dict[str, Exception] = {}

    def call(operation: str, params: dict[str, Any]) -> Any:
        if operation in failures:
            raise failures[operation]
        return real(operation, params)

    monkeypatch.setattr(client, "_make_api_call", call)
    return failures


def test_throttled_read_is_503_with_retry_after(api: Verbs, faulty: dict[str, Exception]) -> None:
    created = api.post("/customers", customer_body()).body
    faulty["Query"] = _error("ProvisionedThroughputExceededException", "Query")
    reply = api.get(f"/customers/{created['id']}")
    assert reply.status == 503
    assert reply.headers["Retry-After"]
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.body["code"] == "service_unavailable"


def test_dynamodb_5xx_on_save_is_503_and_nothing_is_written(api: Verbs, faulty: dict[str, Exception]) -> None:
    body = customer_body()
    faulty["TransactWriteItems"] = _error("InternalServerError", "TransactWriteItems", 500)
    faulty["PutItem"] = _error("InternalServerError", "PutItem", 500)
    reply = api.post("/customers", body)
    assert reply.status == 503
    faulty.clear()
    assert api.get("/customers").body["items"] == []


def test_transaction_conflicts_are_retried_then_503(api: Verbs, faulty: dict[str, Exception],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("clientele.retries.time.sleep", lambda _seconds: None)
    body = customer_body()
    cancelled = aws.dynamodb().exceptions.TransactionCanceledException(
        {"Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
         "CancellationReasons": [{"Code": "TransactionConflict"}, {"Code": "None"}]},
        "TransactWriteItems",
    )
    faulty["TransactWriteItems"] = cancelled
    reply = api.post("/customers", body)
    assert reply.status == 503
    assert reply.headers["Retry-After"]


def test_a_cancelled_save_leaves_customer_and_parent_unchanged(api: Verbs) -> None:
    parent = api.post("/customers", customer_body(companyName="Parent")).body
    before = api.get(f"/customers/{parent['id']}").body
    # The second condition (an inactive/missing segment) cancels the whole transaction.
    reply = api.post("/customers", customer_body(parentCustomerId=parent["id"],
                                                 customerSegmentId="00000000-0000-4000-8000-000000000000"))
    assert_problem(reply, 422, "validation_error")
    assert api.get(f"/customers/{parent['id']}").body == before
    assert [c["id"] for c in api.get("/customers").body["items"]] == [parent["id"]]
    assert api.delete(f"/customers/{parent['id']}", headers={"If-Match": '"1"'}).status == 204
