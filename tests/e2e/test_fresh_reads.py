"""Read-after-write over real HTTP against `python -m local.server`, whose function containers are
processes of their own (as Lambda's are): a GET after a PATCH or PUT shows the write, whichever
container serves it — including readers warmed up before the write, and while other requests race it.

Readers are warmed with concurrent GETs, so several containers of each reading function hold
whatever they read before the write; during the write other readers keep making the same GET and
other writers keep saving to the same org's lists; every GET after the write then runs concurrently
too, so it lands on those warm containers as well as new ones. Outcomes are asserted, never timings.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from local.launch import REQUEST_TIMEOUT
from local.polling import GENEROUS
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

READERS = 6
RACING_READERS = 2  # readers that keep reading while the writes happen


def new_org() -> str:
    return f"fresh-{uuid.uuid4().hex[:10]}"


def read_together(count: int, read: Callable[[requests.Session], requests.Response]) -> list[requests.Response]:
    """``count`` GETs at once (each on its own connection), so they need as many containers."""
    barrier = threading.Barrier(count)

    def one(_number: int) -> requests.Response:
        with requests.Session() as session:
            barrier.wait(timeout=GENEROUS)
            return read(session)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@contextmanager
def racing(stack: Stack, org: str, read: Callable[[requests.Session], requests.Response]) -> Iterator[None]:
    """Other requests race the writes made inside: writers of the same org's lists keep saving (new
    categories and brokers), and readers keep making the very ``read`` the test then checks, so
    containers hold what they read just before, during and just after each write."""
    stop = threading.Event()
    failures: list[str] = []

    def write(path: str) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                reply = stack.post(path, org=org, session=session, json={"name": f"Racer {uuid.uuid4().hex[:8]}"})
                if reply.status_code != 201:
                    failures.append(f"{path} {reply.status_code} {reply.text}")

    def keep_reading() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                reply = read(session)
                if reply.status_code != 200:
                    failures.append(f"read {reply.status_code} {reply.text}")

    threads = [threading.Thread(target=write, args=(path,), daemon=True)
               for path in ("/customer-categories", "/brokers")]
    threads += [threading.Thread(target=keep_reading, daemon=True) for _ in range(RACING_READERS)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + GENEROUS)
    assert failures == []


def statuses_and(replies: list[requests.Response], read: Callable[[requests.Response], Any]) -> set[tuple[int, Any]]:
    return {(reply.status_code, read(reply)) for reply in replies}


def test_a_renamed_taxonomy_entry_reads_renamed_from_every_container(stack: Stack) -> None:
    org = new_org()
    created = stack.post("/customer-segments", org=org, json={"name": "Hotels"})
    assert created.status_code == 201, created.text
    path = created.headers["Location"]

    def entry(session: requests.Session) -> requests.Response:
        return stack.get(path, org=org, session=session)

    before = read_together(READERS, entry)
    assert statuses_and(before, lambda reply: (reply.json()["name"], reply.headers["ETag"])) == {(200, ("Hotels", '"1"'))}

    with racing(stack, org, entry):
        renamed = stack.patch(path, org=org, headers={"If-Match": '"1"'}, json={"name": "Resorts"})
        assert renamed.status_code == 200, renamed.text
        after = read_together(READERS, entry)

    assert statuses_and(after, lambda reply: (reply.json()["name"], reply.headers["ETag"])) == {(200, ("Resorts", '"2"'))}


def test_a_renamed_entry_and_a_reordered_list_read_changed_in_every_list(stack: Stack) -> None:
    org = new_org()
    ids = []
    for name in ("First", "Second", "Third"):
        created = stack.post("/customer-segments", org=org, json={"name": name})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])

    def listed(session: requests.Session) -> requests.Response:
        return stack.get("/customer-segments", org=org, session=session)

    def names(reply: requests.Response) -> tuple[str, ...]:
        return tuple(item["name"] for item in reply.json()["items"])

    assert statuses_and(read_together(READERS, listed), names) == {(200, ("First", "Second", "Third"))}

    with racing(stack, org, listed):
        reordered = stack.request("PUT", "/customer-segments/order", org=org, json={"ids": list(reversed(ids))})
        assert reordered.status_code == 200, reordered.text
        after_reorder = read_together(READERS, listed)
        renamed = stack.patch(f"/customer-segments/{ids[0]}", org=org, headers={"If-Match": '"2"'},
                              json={"name": "Former first"})
        assert renamed.status_code == 200, renamed.text
        after_rename = read_together(READERS, listed)

    assert statuses_and(after_reorder, names) == {(200, ("Third", "Second", "First"))}
    assert statuses_and(after_rename, names) == {(200, ("Third", "Second", "Former first"))}


def test_replaced_settings_read_replaced_from_every_container(stack: Stack) -> None:
    org = new_org()

    def settings(session: requests.Session) -> requests.Response:
        return stack.get("/settings", org=org, session=session)

    def country(reply: requests.Response) -> tuple[str, str]:
        return reply.json()["defaultCountry"], reply.headers["ETag"]

    assert statuses_and(read_together(READERS, settings), country) == {(200, ("US", '"1"'))}

    with racing(stack, org, settings):
        replaced = stack.request("PUT", "/settings", org=org, headers={"If-Match": '"1"'},
                                 json={"defaultCountry": "GB"})
        assert replaced.status_code == 200, replaced.text
        after = read_together(READERS, settings)

    assert statuses_and(after, country) == {(200, ("GB", '"2"'))}


def test_a_customer_reads_its_patch_its_put_and_its_type_renamed_from_every_container(stack: Stack) -> None:
    org = new_org()
    created = stack.create_customer(org, companyName="Harbour Hotels")
    assert created.status_code == 201, created.text
    path = created.headers["Location"]
    type_id = created.json()["customerTypeId"]

    def customer(session: requests.Session) -> requests.Response:
        return stack.get(path, org=org, role="viewer", session=session)

    def shown(reply: requests.Response) -> tuple[str, str, str]:
        body = reply.json()
        return body["companyName"], body["customerType"]["name"], reply.headers["ETag"]

    assert statuses_and(read_together(READERS, customer), shown) == {(200, ("Harbour Hotels", "Commercial", '"1"'))}

    with racing(stack, org, customer):
        changed = stack.patch(path, org=org, role="editor", headers={"If-Match": '"1"'},
                              json={"companyName": "Harbour Resorts"})
        assert changed.status_code == 200, changed.text
        after_change = read_together(READERS, customer)
        retyped = stack.patch(f"/customer-types/{type_id}", org=org, headers={"If-Match": '"1"'},
                              json={"name": "Business"})
        assert retyped.status_code == 200, retyped.text
        after_rename = read_together(READERS, customer)
        replaced = stack.request("PUT", path, org=org, role="editor", headers={"If-Match": '"2"'},
                                 json={"companyName": "Harbour Inns", "customerTypeId": type_id})
        assert replaced.status_code == 200, replaced.text
        after_replace = read_together(READERS, customer)

    assert statuses_and(after_change, shown) == {(200, ("Harbour Resorts", "Commercial", '"2"'))}
    assert statuses_and(after_rename, shown) == {(200, ("Harbour Resorts", "Business", '"2"'))}
    assert statuses_and(after_replace, shown) == {(200, ("Harbour Inns", "Business", '"3"'))}
