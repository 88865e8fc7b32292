"""Races over real HTTP against `python -m local.server` (whose embedded DynamoDB is as atomic as the
real one, so a double winner here is a bug in our conditions, not in the engine).

Already elsewhere: eight PATCHes of one customer with one If-Match (test_stack.py) and racing upserts
by remote id (test_integrations.py).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from local.polling import GENEROUS
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

WRITERS = 8


def new_org() -> str:
    return f"race-{uuid.uuid4().hex[:10]}"


def race[T](count: int, action: Callable[[int, requests.Session], T]) -> list[T]:
    """Run ``action(n, session)`` in ``count`` threads released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(number: int) -> T:
        with requests.Session() as session:
            barrier.wait(timeout=GENEROUS)
            return action(number, session)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def codes(replies: list[requests.Response]) -> list[tuple[int, str | None]]:
    """(status, problem code) per reply, sorted, for one readable assertion."""
    result = []
    for reply in replies:
        code = reply.json().get("code") if reply.headers.get("Content-Type", "").startswith("application/problem") \
            else None
        result.append((reply.status_code, code))
    return sorted(result, key=lambda pair: (pair[0], pair[1] or ""))


# ----------------------------------------------------------------------------- optimistic locking


@pytest.mark.parametrize("round_", range(2))
def test_eight_patches_of_one_contact_with_one_if_match_have_one_winner(stack: Stack, round_: int) -> None:
    org = new_org()
    customer = stack.create_customer(org)
    assert customer.status_code == 201, customer.text
    contact = stack.post(f"{customer.headers['Location']}/contacts", org=org, role="editor", json={"name": "Ada"})
    assert contact.status_code == 201, contact.text
    path = contact.headers["Location"]
    etag = contact.headers["ETag"]

    replies = race(WRITERS, lambda n, session: stack.patch(
        path, org=org, role="editor", session=session, headers={"If-Match": etag}, json={"title": f"writer {n}"}))

    assert codes(replies) == [(200, None)] + [(412, "version_conflict")] * (WRITERS - 1), [r.text for r in replies]
    winner = next(reply.json() for reply in replies if reply.status_code == 200)
    listed = stack.get(f"{customer.headers['Location']}/contacts", org=org).json()["items"]
    assert [(item["title"], item["version"]) for item in listed] == [(winner["title"], winner["version"])]


@pytest.mark.parametrize("round_", range(2))
def test_eight_patches_of_one_taxonomy_entry_with_one_if_match_have_one_winner(stack: Stack, round_: int) -> None:
    org = new_org()
    created = stack.post("/customer-segments", org=org, json={"name": "Hotels"})
    assert created.status_code == 201, created.text
    path, etag = created.headers["Location"], created.headers["ETag"]

    replies = race(WRITERS, lambda n, session: stack.patch(
        path, org=org, session=session, headers={"If-Match": etag}, json={"name": f"Hotels {n}"}))

    assert codes(replies) == [(200, None)] + [(412, "version_conflict")] * (WRITERS - 1), [r.text for r in replies]
    for reply in replies:
        if reply.status_code == 412:
            assert reply.json()["currentVersion"] == 2
    winner = next(reply.json() for reply in replies if reply.status_code == 200)
    assert stack.get(path, org=org).json()["name"] == winner["name"]


# ----------------------------------------------------------------------------- uniqueness


@pytest.mark.parametrize("round_", range(2))
def test_eight_creates_of_one_customer_type_name_make_one_type(stack: Stack, round_: int) -> None:
    org = new_org()
    spellings = ["Hotel Chain", "HOTEL CHAIN", "hotel chain", "Hotel chain"]  # names compare case-insensitively
    replies = race(WRITERS, lambda n, session: stack.post(
        "/customer-types", org=org, session=session, json={"name": spellings[n % len(spellings)], "color": "red"}))

    assert codes(replies) == [(201, None)] + [(409, "duplicate")] * (WRITERS - 1), [r.text for r in replies]
    listed = stack.get("/customer-types", org=org).json()["items"]
    assert [item["name"].casefold() for item in listed].count("hotel chain") == 1
    assert sorted(item["sortOrder"] for item in listed) == list(range(len(listed)))


# ----------------------------------------------------------------------------- idempotency


@pytest.mark.parametrize("round_", range(2))
def test_eight_posts_with_one_idempotency_key_create_one_customer(stack: Stack, round_: int) -> None:
    org = new_org()
    body = {"companyName": "Once Only Ltd", "customerTypeId": stack.type_ids(org)["Commercial"]}
    key = {"Idempotency-Key": f"race-{uuid.uuid4()}"}

    replies = race(WRITERS, lambda _n, session: stack.post(
        "/customers", org=org, role="editor", session=session, headers=key, json=body))

    # The first creates; the others get its reply, or 409 while it is still in progress (SPEC §3).
    created = {reply.json()["id"] for reply in replies if reply.status_code == 201}
    assert len(created) == 1, [r.text for r in replies]
    assert all(code == (409, "idempotency_conflict") for code in codes(replies) if code[0] != 201), \
        [r.text for r in replies]
    retry = stack.post("/customers", org=org, role="editor", headers=key, json=body)
    assert retry.status_code == 201 and retry.json()["id"] in created
    listed = stack.get("/customers", org=org).json()["items"]
    assert [item["id"] for item in listed] == list(created)


# ----------------------------------------------------------------------------- lists


def test_reorders_racing_with_creates_leave_unique_sort_orders(stack: Stack) -> None:
    org = new_org()
    for n in range(4):
        assert stack.post("/customer-segments", org=org, json={"name": f"Seed {n}"}).status_code == 201

    def act(number: int, session: requests.Session) -> requests.Response:
        if number % 2:  # creators
            return stack.post("/customer-segments", org=org, session=session, json={"name": f"New {uuid.uuid4()}"})
        ids = [item["id"] for item in stack.get("/customer-segments", org=org, session=session).json()["items"]]
        random.Random(number).shuffle(ids)
        return stack.request("PUT", "/customer-segments/order", org=org, session=session, json={"ids": ids})

    results: Counter[tuple[int, str | None]] = Counter()
    for _ in range(3):
        replies = race(WRITERS, act)
        results.update(codes(replies))
        listed = stack.get("/customer-segments", org=org).json()["items"]
        orders = [item["sortOrder"] for item in listed]
        assert len(orders) == len(set(orders)), listed  # never two entries in one place
        assert orders == sorted(orders)  # the list is served in sortOrder
        names = {item["name"] for item in listed}
        for reply in replies:
            if reply.request.method == "POST" and reply.status_code == 201:
                assert reply.json()["name"] in names
    # Creates always land (retried inside on a concurrent change); a reorder whose id set went stale
    # is a 422 (every id exactly once), never a 5xx.
    assert results[(201, None)] == 3 * WRITERS // 2, results
    assert set(results) <= {(200, None), (201, None), (422, "validation_error")}, results


# ----------------------------------------------------------------------------- no lost update


def test_eight_read_modify_write_loops_lose_no_update(stack: Stack) -> None:
    org = new_org()
    created = stack.create_customer(org, companyName="Many Hands")
    assert created.status_code == 201, created.text
    path = created.headers["Location"]
    changes: list[dict[str, Any]] = [
        {"firstName": "Ada"}, {"lastName": "Lovelace"}, {"notes": "handle with care"},
        {"accountState": "growth"}, {"accountPriority": "high"}, {"discountRate": 7.5},
        {"billingAddress": {"city": "London", "country": "GB"}}, {"shippingAddress": {"city": "Leeds", "country": "GB"}},
    ]
    assert len(changes) == WRITERS

    def writer(number: int, session: requests.Session) -> int:
        for attempt in range(1, 60):
            current = stack.get(path, org=org, session=session)
            reply = stack.patch(path, org=org, role="editor", session=session,
                                headers={"If-Match": current.headers["ETag"]}, json=changes[number])
            if reply.status_code == 200:
                return attempt
            assert (reply.status_code, reply.json()["code"]) == (412, "version_conflict"), reply.text
            time.sleep(random.Random(number * 100 + attempt).uniform(0, 0.01))
        raise AssertionError(f"writer {number} never got its change in")

    attempts = race(WRITERS, writer)

    final = stack.get(path, org=org).json()
    for change in changes:
        for field, value in change.items():
            if isinstance(value, dict):
                assert {k: final[field][k] for k in value} == value, (field, final[field])
            else:
                assert final[field] == value, (field, final[field])
    assert final["version"] == 1 + WRITERS
    assert final["displayName"] == "Ada Lovelace (Many Hands)"
    assert sum(attempts) > WRITERS  # they did collide


@pytest.mark.parametrize("round_", range(3))
def test_eight_creates_on_one_list_all_land(stack: Stack, round_: int) -> None:
    org = new_org()
    replies = race(WRITERS, lambda n, session: stack.post(
        "/customer-segments", org=org, session=session, json={"name": f"Segment {n}"}))
    assert codes(replies) == [(201, None)] * WRITERS, [r.text for r in replies]
    listed = stack.get("/customer-segments", org=org).json()["items"]
    assert sorted(item["sortOrder"] for item in listed) == list(range(WRITERS))


@pytest.mark.parametrize("round_", range(2))
def test_eight_contacts_created_at_once_on_one_customer_all_land(stack: Stack, round_: int) -> None:
    org = new_org()
    customer = stack.create_customer(org)
    assert customer.status_code == 201, customer.text
    path = f"{customer.headers['Location']}/contacts"
    replies = race(WRITERS, lambda n, session: stack.post(
        path, org=org, role="editor", session=session, json={"name": f"Contact {n}"}))
    assert codes(replies) == [(201, None)] * WRITERS, [r.text for r in replies]
    assert len(stack.get(path, org=org).json()["items"]) == WRITERS
    assert stack.get(customer.headers["Location"], org=org).json()["version"] == 1 + WRITERS
