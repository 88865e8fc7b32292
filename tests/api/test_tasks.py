"""GET /tasks (SPEC §4.5): the org's tasks from a sparse index, earliest due date first."""

from __future__ import annotations

from typing import Any

import pytest

from clientele.store import keys
from local.invoke import Verbs

from .parts import add_activity, add_task, assert_problem, counted, if_match, new_customer, stored

pytestmark = pytest.mark.over_http


def task_titles(api: Verbs, query: str = "", **kwargs: Any) -> list[str]:
    reply = api.get("/tasks", query=query, **kwargs)
    assert reply.status == 200, reply.body
    return [task["title"] for task in reply.body["items"]]


def test_open_tasks_are_listed_earliest_due_first_with_undated_last(api: Verbs) -> None:
    customer = new_customer(api)
    add_task(api, customer["id"], title="later", dueDate="2026-06-01")
    add_task(api, customer["id"], title="undated")
    add_task(api, customer["id"], title="sooner", dueDate="2026-05-01")
    assert task_titles(api, "status=open") == ["sooner", "later", "undated"]


def test_status_defaults_to_open(api: Verbs) -> None:
    customer = new_customer(api)
    add_task(api, customer["id"], title="open one")
    add_task(api, customer["id"], title="done one", status="done")
    assert task_titles(api) == ["open one"]


def test_done_tasks_are_listed_by_status_done(api: Verbs) -> None:
    customer = new_customer(api)
    add_task(api, customer["id"], title="open one")
    add_task(api, customer["id"], title="done one", status="done")
    assert task_titles(api, "status=done") == ["done one"]


def test_due_before_is_exclusive(api: Verbs) -> None:
    customer = new_customer(api)
    add_task(api, customer["id"], title="on the day", dueDate="2026-05-10")
    add_task(api, customer["id"], title="the day before", dueDate="2026-05-09")
    add_task(api, customer["id"], title="undated")
    assert task_titles(api, "status=open&dueBefore=2026-05-10") == ["the day before"]


def test_tasks_span_every_customer_of_the_org(api: Verbs) -> None:
    one, two = new_customer(api), new_customer(api)
    add_task(api, one["id"], title="one", dueDate="2026-01-01")
    add_task(api, two["id"], title="two", dueDate="2026-01-02")
    reply = api.get("/tasks")
    assert [(t["title"], t["customerId"]) for t in reply.body["items"]] == [("one", one["id"]), ("two", two["id"])]


@pytest.mark.in_process
def test_other_activities_never_enter_the_task_index(api: Verbs) -> None:
    customer = new_customer(api)
    note = add_activity(api, customer["id"])
    item = stored(keys.customer_pk("acme", customer["id"]), keys.activity_sk(note["id"]))
    assert item is not None and "GSI9PK" not in item
    assert task_titles(api) == []


def test_completing_a_task_moves_it_to_the_done_list(api: Verbs) -> None:
    customer = new_customer(api)
    task = add_task(api, customer["id"], title="finish me")
    api.patch(f"/customers/{customer['id']}/activities/{task['id']}", {"status": "done"}, headers=if_match(1))
    assert task_titles(api, "status=open") == []
    assert task_titles(api, "status=done") == ["finish me"]


def test_changing_the_due_date_reorders_the_list(api: Verbs) -> None:
    customer = new_customer(api)
    first = add_task(api, customer["id"], title="first", dueDate="2026-01-01")
    add_task(api, customer["id"], title="second", dueDate="2026-01-02")
    api.patch(f"/customers/{customer['id']}/activities/{first['id']}", {"dueDate": "2026-02-01"},
              headers=if_match(1))
    assert task_titles(api) == ["second", "first"]


def test_turning_a_task_into_a_note_removes_it_from_the_list(api: Verbs) -> None:
    customer = new_customer(api)
    task = add_task(api, customer["id"])
    reply = api.patch(f"/customers/{customer['id']}/activities/{task['id']}",
                      {"type": "note", "body": "just a note now", "status": None}, headers=if_match(1))
    assert reply.status == 200, reply.body
    assert task_titles(api) == []


def test_a_deleted_task_leaves_the_list(api: Verbs) -> None:
    customer = new_customer(api)
    task = add_task(api, customer["id"])
    api.delete(f"/customers/{customer['id']}/activities/{task['id']}", headers=if_match(1))
    assert task_titles(api) == []


def test_tasks_of_another_org_are_not_listed(api: Verbs) -> None:
    theirs = new_customer(api, org="globex")
    add_task(api, theirs["id"], org="globex", title="theirs")
    assert task_titles(api) == []
    assert task_titles(api, org="globex") == ["theirs"]


def test_tasks_page_with_a_cursor(api: Verbs) -> None:
    customer = new_customer(api)
    for day in range(1, 6):
        add_task(api, customer["id"], title=f"day {day}", dueDate=f"2026-01-0{day}")
    seen, cursor = [], None
    while True:
        page = api.get("/tasks", query="limit=2" + (f"&cursor={cursor}" if cursor else "")).body
        seen += [t["title"] for t in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [f"day {day}" for day in range(1, 6)]


def test_a_cursor_for_another_status_is_400_bad_cursor(api: Verbs) -> None:
    customer = new_customer(api)
    for _ in range(2):
        add_task(api, customer["id"])
    cursor = api.get("/tasks", query="limit=1").body["nextCursor"]
    reply = api.get("/tasks", query=f"status=done&cursor={cursor}")
    assert reply.status == 400
    assert reply.body["code"] == "bad_cursor"


@pytest.mark.in_process
def test_a_tasks_page_is_one_query(api: Verbs) -> None:
    customer = new_customer(api)
    for day in range(1, 4):
        add_task(api, customer["id"], dueDate=f"2026-01-0{day}")
    api.get("/tasks")
    reply, calls = counted(lambda: api.get("/tasks", query="status=open&dueBefore=2099-01-01&limit=2"))
    assert len(reply.body["items"]) == 2
    assert calls == ["Query"]


def test_due_before_that_is_not_a_date_is_422(api: Verbs) -> None:
    for bad in ("tomorrow", "2026-02-30", "2026-1-1"):
        reply = api.get("/tasks", query=f"dueBefore={bad}")
        assert_problem(reply, 422, "validation_error")
        assert reply.body["errors"][0]["field"] == "dueBefore"


def test_unknown_status_is_422(api: Verbs) -> None:
    reply = api.get("/tasks", query="status=blocked")
    assert_problem(reply, 422, "validation_error")
    assert reply.body["errors"][0]["field"] == "status"


def test_viewer_may_list_tasks(api: Verbs) -> None:
    assert api.get("/tasks", role="viewer").status == 200
