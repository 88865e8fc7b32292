"""Projects of a customer (SPEC §4.6): fields, dates, read-only rollups, in_use, versions. If-Match, tenancy,
ids and a deleted customer, as for every child resource: test_child_resources.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientele.store import keys
from local.invoke import Verbs

from .parts import (
    add_project,
    assert_problem,
    counted,
    error_fields,
    if_match,
    new_customer,
    project_path,
    projects_path,
    set_attribute,
)

pytestmark = pytest.mark.over_http


def test_create_returns_201_with_location_etag_and_defaults(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(projects_path(customer["id"]), {"name": "Lobby refit"})
    assert reply.status == 201, reply.body
    assert reply.headers["Location"] == project_path(customer["id"], reply.body["id"])
    assert reply.etag == '"1"'
    assert reply.body["status"] == "planning"
    assert (reply.body["orderCount"], reply.body["orderValue"], reply.body["activityCount"]) == (0, "0.00", 0)


def test_name_is_required(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(projects_path(customer["id"]), {"summary": "no name"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["name"]


def test_name_longer_than_255_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(projects_path(customer["id"]), {"name": "x" * 256})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["name"]


def test_unknown_status_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(projects_path(customer["id"]), {"name": "p", "status": "cancelled"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["status"]


def test_every_status_is_accepted(api: Verbs) -> None:
    customer = new_customer(api)
    for status in ("planning", "active", "hold", "done"):
        assert add_project(api, customer["id"], status=status)["status"] == status


def test_target_end_date_before_start_date_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(projects_path(customer["id"]),
                     {"name": "p", "startDate": "2026-05-02", "targetEndDate": "2026-05-01"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["targetEndDate"]


def test_target_end_date_on_the_start_date_is_accepted(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"], startDate="2026-05-01", targetEndDate="2026-05-01")
    assert project["targetEndDate"] == "2026-05-01"


def test_a_date_that_is_not_a_calendar_date_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.post(projects_path(customer["id"]), {"name": "p", "startDate": "2026-13-01"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["startDate"]


def test_rollups_sent_by_the_client_are_ignored(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"], orderCount=9, orderValue="99.00", activityCount=3)
    assert (project["orderCount"], project["orderValue"], project["activityCount"]) == (0, "0.00", 0)


def test_get_returns_the_project_with_its_etag(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"])
    reply = api.get(project_path(customer["id"], project["id"]), role="viewer")
    assert reply.status == 200
    assert reply.body == project and reply.etag == '"1"'


def test_get_through_another_customer_is_404(api: Verbs) -> None:
    customer, other = new_customer(api), new_customer(api)
    project = add_project(api, customer["id"])
    assert_problem(api.get(project_path(other["id"], project["id"])), 404, "not_found")


def test_list_is_by_name(api: Verbs) -> None:
    customer = new_customer(api)
    for name in ("zeta", "Alpha", "mid"):
        add_project(api, customer["id"], name=name)
    items = api.get(projects_path(customer["id"])).body["items"]
    assert [p["name"] for p in items] == ["Alpha", "mid", "zeta"]


def test_list_pages_with_a_cursor(api: Verbs) -> None:
    customer = new_customer(api)
    for n in range(5):
        add_project(api, customer["id"], name=f"p{n}")
    seen, cursor = [], None
    while True:
        page = api.get(projects_path(customer["id"]), query="limit=2" + (f"&cursor={cursor}" if cursor else "")).body
        seen += [p["name"] for p in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [f"p{n}" for n in range(5)]


@pytest.mark.in_process
def test_a_list_page_is_one_query(api: Verbs) -> None:
    customer = new_customer(api)
    add_project(api, customer["id"])
    api.get(projects_path(customer["id"]))
    _, calls = counted(lambda: api.get(projects_path(customer["id"])))
    assert calls == ["Query"]


def test_list_of_a_customer_without_projects_is_empty(api: Verbs) -> None:
    customer = new_customer(api)
    assert api.get(projects_path(customer["id"])).body == {"items": [], "nextCursor": None}


def test_patch_changes_sent_fields_and_bumps_the_version(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"], summary="keep")
    reply = api.patch(project_path(customer["id"], project["id"]), {"status": "active"}, headers=if_match(1))
    assert reply.status == 200
    assert reply.body["status"] == "active" and reply.body["summary"] == "keep"
    assert reply.etag == '"2"'


def test_patch_checks_the_dates_of_the_merged_project(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"], startDate="2026-05-01")
    reply = api.patch(project_path(customer["id"], project["id"]), {"targetEndDate": "2026-04-01"},
                      headers=if_match(1))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["targetEndDate"]


@pytest.mark.in_process
def test_patch_keeps_the_rollups(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"])
    pk, sk = keys.customer_pk("acme", customer["id"]), keys.project_sk(project["id"])
    set_attribute(pk, sk, "orderCount", 2)
    set_attribute(pk, sk, "orderValue", Decimal("150.5"))
    reply = api.patch(project_path(customer["id"], project["id"]), {"name": "Renamed"}, headers=if_match(1))
    assert (reply.body["orderCount"], reply.body["orderValue"]) == (2, "150.50")


def test_patch_renaming_reorders_the_list(api: Verbs) -> None:
    customer = new_customer(api)
    first = add_project(api, customer["id"], name="a")
    add_project(api, customer["id"], name="b")
    api.patch(project_path(customer["id"], first["id"]), {"name": "c"}, headers=if_match(1))
    assert [p["name"] for p in api.get(projects_path(customer["id"])).body["items"]] == ["b", "c"]


def test_delete_is_204_and_the_project_is_gone(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"])
    assert api.delete(project_path(customer["id"], project["id"]), headers=if_match(1)).status == 204
    assert_problem(api.get(project_path(customer["id"], project["id"])), 404, "not_found")


@pytest.mark.in_process
def test_delete_while_orders_reference_it_is_409_in_use(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"])
    set_attribute(keys.customer_pk("acme", customer["id"]), keys.project_sk(project["id"]), "orderRefs", 1)
    reply = api.delete(project_path(customer["id"], project["id"]), headers=if_match(1))
    assert reply.status == 409
    assert reply.body["code"] == "in_use"


def test_retry_with_the_same_idempotency_key_creates_one_project(api: Verbs) -> None:
    customer = new_customer(api)
    first = api.post(projects_path(customer["id"]), {"name": "p"}, headers={"Idempotency-Key": "p1"})
    again = api.post(projects_path(customer["id"]), {"name": "p"}, headers={"Idempotency-Key": "p1"})
    assert again.body["id"] == first.body["id"]
    assert len(api.get(projects_path(customer["id"])).body["items"]) == 1
