"""Idempotency-Key on creating POSTs (SPEC §3)."""

from __future__ import annotations

import pytest

from local.invoke import Verbs
from tests.api.parts import assert_problem

from .helpers import customer_body

pytestmark = pytest.mark.over_http


def test_retry_with_same_key_and_body_returns_the_first_response_and_creates_nothing(api: Verbs) -> None:
    body = customer_body()
    first = api.post("/customers", body, headers={"Idempotency-Key": "k1"})
    again = api.post("/customers", body, headers={"Idempotency-Key": "k1"})
    assert first.status == again.status == 201
    assert again.body["id"] == first.body["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert len(api.get("/customers").body["items"]) == 1


def test_same_key_with_another_body_is_409_idempotency_conflict(api: Verbs) -> None:
    api.post("/customers", customer_body(), headers={"Idempotency-Key": "k2"})
    reply = api.post("/customers", customer_body(companyName="Else"), headers={"Idempotency-Key": "k2"})
    assert reply.status == 409
    assert reply.body["code"] == "idempotency_conflict"


def test_keys_are_scoped_to_the_organisation(api: Verbs) -> None:
    mine = api.post("/customers", customer_body("acme"), headers={"Idempotency-Key": "shared"})
    theirs = api.post("/customers", customer_body("globex"), headers={"Idempotency-Key": "shared"}, org="globex")
    assert theirs.status == 201
    assert theirs.body["id"] != mine.body["id"]


def test_failed_requests_are_not_remembered(api: Verbs) -> None:
    bad = customer_body(emails=["nope"])
    assert_problem(api.post("/customers", bad, headers={"Idempotency-Key": "k3"}), 422, "validation_error")
    good = api.post("/customers", customer_body(), headers={"Idempotency-Key": "k3"})
    assert good.status == 201


def test_requests_without_a_key_are_never_deduplicated(api: Verbs) -> None:
    body = customer_body()
    assert api.post("/customers", body).body["id"] != api.post("/customers", body).body["id"]
