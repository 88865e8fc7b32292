"""The customer's timeline (SPEC §4.5): activity rules, task status, references, paging. If-Match, tenancy,
ids and a deleted customer, as for every child resource: test_child_resources.py."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from local.invoke import Reply, Verbs

from .parts import (
    activities_path,
    activity_path,
    add_activity,
    add_contact,
    add_project,
    add_task,
    assert_problem,
    counted,
    error_fields,
    if_match,
    new_customer,
)

pytestmark = pytest.mark.over_http


def post(api: Verbs, customer_id: str, body: dict[str, Any], **kwargs: Any) -> Reply:
    return api.post(activities_path(customer_id), body, **kwargs)


# --- create and the rules -------------------------------------------------------------------------------


def test_create_returns_201_with_location_etag_and_defaults(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "call", "body": "Asked for a quote."})
    assert reply.status == 201, reply.body
    assert reply.headers["Location"] == activity_path(customer["id"], reply.body["id"])
    assert reply.etag == '"1"'
    assert reply.body["occurredAt"].endswith("Z")
    assert reply.body["status"] is None and reply.body["completedAt"] is None and reply.body["attendees"] == []


def test_occurred_at_is_stored_in_utc(api: Verbs) -> None:
    customer = new_customer(api)
    activity = add_activity(api, customer["id"], occurredAt="2026-03-01T10:00:00+02:00")
    assert activity["occurredAt"] == "2026-03-01T08:00:00.000Z"


def test_invalid_occurred_at_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "note", "body": "x", "occurredAt": "yesterday"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["occurredAt"]


def test_type_is_required(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"body": "x"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["type"]


def test_unknown_type_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "fax", "body": "x"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["type"]


def test_body_is_required_for_every_type_but_task(api: Verbs) -> None:
    customer = new_customer(api)
    for kind in ("note", "call", "email", "meeting"):
        reply = post(api, customer["id"], {"type": kind, "title": "No body"})
        assert_problem(reply, 422, "validation_error")
        assert error_fields(reply) == ["body"]


def test_title_is_required_for_tasks(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "task", "body": "No title"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["title"]


def test_a_task_needs_no_body(api: Verbs) -> None:
    customer = new_customer(api)
    assert add_task(api, customer["id"])["body"] is None


def test_title_longer_than_255_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "task", "title": "x" * 256})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["title"]


def test_only_tasks_may_have_a_due_date(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "note", "body": "x", "dueDate": "2026-05-01"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["dueDate"]


def test_only_tasks_may_have_a_status(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "meeting", "body": "x", "status": "open"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["status"]


def test_a_tasks_status_defaults_to_open(api: Verbs) -> None:
    customer = new_customer(api)
    assert add_task(api, customer["id"])["status"] == "open"


def test_unknown_status_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "task", "title": "t", "status": "blocked"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["status"]


def test_a_due_date_that_is_not_a_calendar_date_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    for bad in ("2026-02-30", "01/05/2026", "2026-1-5"):
        reply = post(api, customer["id"], {"type": "task", "title": "t", "dueDate": bad})
        assert_problem(reply, 422, "validation_error")
        assert error_fields(reply) == ["dueDate"]


def test_a_task_created_done_gets_completed_at(api: Verbs) -> None:
    customer = new_customer(api)
    assert add_task(api, customer["id"], status="done")["completedAt"] is not None


def test_completed_at_sent_by_the_client_is_ignored(api: Verbs) -> None:
    customer = new_customer(api)
    task = add_task(api, customer["id"], completedAt="2020-01-01T00:00:00Z")
    assert task["completedAt"] is None


def test_setting_done_sets_completed_at(api: Verbs) -> None:
    customer = new_customer(api)
    task = add_task(api, customer["id"])
    reply = api.patch(activity_path(customer["id"], task["id"]), {"status": "done"}, headers=if_match(1))
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "done" and reply.body["completedAt"] is not None


def test_reopening_clears_completed_at(api: Verbs) -> None:
    customer = new_customer(api)
    task = add_task(api, customer["id"], status="done")
    reply = api.patch(activity_path(customer["id"], task["id"]), {"status": "open"}, headers=if_match(1))
    assert reply.body["status"] == "open" and reply.body["completedAt"] is None


def test_a_done_task_keeps_its_completed_at_on_other_changes(api: Verbs) -> None:
    customer = new_customer(api)
    task = add_task(api, customer["id"], status="done")
    reply = api.patch(activity_path(customer["id"], task["id"]), {"title": "Renamed"}, headers=if_match(1))
    assert reply.body["completedAt"] == task["completedAt"]


def test_project_must_be_a_project_of_the_same_customer(api: Verbs) -> None:
    customer, other = new_customer(api), new_customer(api)
    theirs = add_project(api, other["id"])
    reply = post(api, customer["id"], {"type": "note", "body": "x", "customerProjectId": theirs["id"]})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["customerProjectId"]


def test_non_uuid_project_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    reply = post(api, customer["id"], {"type": "note", "body": "x", "customerProjectId": "lobby"})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["customerProjectId"]


def test_a_project_of_the_customer_is_accepted(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"])
    assert add_activity(api, customer["id"], customerProjectId=project["id"])["customerProjectId"] == project["id"]


def test_attendees_must_be_contacts_of_the_same_customer(api: Verbs) -> None:
    customer, other = new_customer(api), new_customer(api)
    mine = add_contact(api, customer["id"])
    theirs = add_contact(api, other["id"])
    reply = post(api, customer["id"], {"type": "meeting", "body": "x", "attendees": [mine["id"], theirs["id"]]})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["attendees[1]"]


def test_attendees_that_are_contacts_of_the_customer_are_accepted_once_each(api: Verbs) -> None:
    customer = new_customer(api)
    one, two = add_contact(api, customer["id"], name="One"), add_contact(api, customer["id"], name="Two")
    activity = add_activity(api, customer["id"], type="meeting", attendees=[one["id"], two["id"], one["id"]])
    assert activity["attendees"] == [one["id"], two["id"]]


def test_a_refused_activity_is_not_saved(api: Verbs) -> None:
    customer = new_customer(api)
    post(api, customer["id"], {"type": "note", "body": "x", "attendees": [str(uuid.uuid4())]})
    assert api.get(activities_path(customer["id"])).body["items"] == []


@pytest.mark.in_process
def test_create_needs_no_read(api: Verbs) -> None:
    customer = new_customer(api)
    add_activity(api, customer["id"])
    _, calls = counted(lambda: post(api, customer["id"], {"type": "note", "body": "x"}))
    assert calls == ["TransactWriteItems"]


def test_retry_with_the_same_idempotency_key_creates_one_activity(api: Verbs) -> None:
    customer = new_customer(api)
    body = {"type": "note", "body": "once"}
    first = post(api, customer["id"], body, headers={"Idempotency-Key": "a1"})
    again = post(api, customer["id"], body, headers={"Idempotency-Key": "a1"})
    assert again.status == 201 and again.body["id"] == first.body["id"]
    assert len(api.get(activities_path(customer["id"])).body["items"]) == 1


# --- the timeline -------------------------------------------------------------------------------------------


def test_timeline_is_newest_first_by_occurred_at(api: Verbs) -> None:
    customer = new_customer(api)
    for day in ("2026-01-02", "2026-01-03", "2026-01-01"):
        add_activity(api, customer["id"], body=day, occurredAt=f"{day}T09:00:00Z")
    reply = api.get(activities_path(customer["id"]), role="viewer")
    assert [a["body"] for a in reply.body["items"]] == ["2026-01-03", "2026-01-02", "2026-01-01"]


def test_changing_occurred_at_moves_the_activity_in_the_timeline(api: Verbs) -> None:
    customer = new_customer(api)
    old = add_activity(api, customer["id"], body="old", occurredAt="2026-01-01T00:00:00Z")
    add_activity(api, customer["id"], body="new", occurredAt="2026-02-01T00:00:00Z")
    api.patch(activity_path(customer["id"], old["id"]), {"occurredAt": "2026-03-01T00:00:00Z"}, headers=if_match(1))
    assert [a["body"] for a in api.get(activities_path(customer["id"])).body["items"]] == ["old", "new"]


def test_timeline_filters_by_type(api: Verbs) -> None:
    customer = new_customer(api)
    add_activity(api, customer["id"], type="call", body="a call")
    add_activity(api, customer["id"], type="note", body="a note")
    items = api.get(activities_path(customer["id"]), query="type=call").body["items"]
    assert [a["type"] for a in items] == ["call"]


def test_timeline_filters_by_project(api: Verbs) -> None:
    customer = new_customer(api)
    project = add_project(api, customer["id"])
    add_activity(api, customer["id"], body="on the project", customerProjectId=project["id"])
    add_activity(api, customer["id"], body="general")
    items = api.get(activities_path(customer["id"]), query=f"customerProjectId={project['id']}").body["items"]
    assert [a["body"] for a in items] == ["on the project"]


def test_timeline_unknown_type_filter_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    assert_problem(api.get(activities_path(customer["id"]), query="type=fax"), 422, "validation_error")


def test_timeline_pages_with_a_cursor(api: Verbs) -> None:
    customer = new_customer(api)
    for minute in range(5):
        add_activity(api, customer["id"], body=str(minute), occurredAt=f"2026-01-01T09:0{minute}:00Z")
    seen, cursor = [], None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(activities_path(customer["id"]), query=query).body
        seen += [a["body"] for a in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == ["4", "3", "2", "1", "0"]


def test_limit_outside_1_to_100_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    assert_problem(api.get(activities_path(customer["id"]), query="limit=0"), 422, "validation_error")
    assert_problem(api.get(activities_path(customer["id"]), query="limit=101"), 422, "validation_error")


def test_a_cursor_of_another_customer_is_400_bad_cursor(api: Verbs) -> None:
    one, two = new_customer(api), new_customer(api)
    for _ in range(2):
        add_activity(api, one["id"])
    cursor = api.get(activities_path(one["id"]), query="limit=1").body["nextCursor"]
    reply = api.get(activities_path(two["id"]), query=f"limit=1&cursor={cursor}")
    assert reply.status == 400
    assert reply.body["code"] == "bad_cursor"


@pytest.mark.in_process
def test_a_timeline_page_is_one_query(api: Verbs) -> None:
    customer = new_customer(api)
    for _ in range(3):
        add_activity(api, customer["id"])
    api.get(activities_path(customer["id"]))
    reply, calls = counted(lambda: api.get(activities_path(customer["id"]), query="limit=2"))
    assert len(reply.body["items"]) == 2
    assert calls == ["Query"]


def test_an_empty_timeline_is_200(api: Verbs) -> None:
    customer = new_customer(api)
    assert api.get(activities_path(customer["id"])).body == {"items": [], "nextCursor": None}


# --- change and delete ----------------------------------------------------------------------------------------


def test_patch_changes_sent_fields_and_bumps_the_version(api: Verbs) -> None:
    customer = new_customer(api)
    activity = add_activity(api, customer["id"], type="call", body="first")
    reply = api.patch(activity_path(customer["id"], activity["id"]), {"body": "second"}, headers=if_match(1))
    assert reply.status == 200
    assert reply.body["body"] == "second" and reply.body["type"] == "call"
    assert reply.etag == '"2"'


def test_patch_applies_the_rules_to_the_merged_activity(api: Verbs) -> None:
    customer = new_customer(api)
    activity = add_activity(api, customer["id"])
    reply = api.patch(activity_path(customer["id"], activity["id"]), {"dueDate": "2026-05-01"}, headers=if_match(1))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["dueDate"]


def test_patch_turning_a_note_into_a_task_puts_it_on_the_task_list(api: Verbs) -> None:
    customer = new_customer(api)
    note = add_activity(api, customer["id"])
    reply = api.patch(activity_path(customer["id"], note["id"]), {"type": "task", "title": "Follow up"},
                      headers=if_match(1))
    assert reply.body["status"] == "open"
    assert [t["id"] for t in api.get("/tasks").body["items"]] == [note["id"]]


def test_patch_adding_a_foreign_attendee_is_422(api: Verbs) -> None:
    customer = new_customer(api)
    activity = add_activity(api, customer["id"])
    reply = api.patch(activity_path(customer["id"], activity["id"]), {"attendees": [str(uuid.uuid4())]},
                      headers=if_match(1))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["attendees[0]"]


def test_delete_is_204_and_the_activity_is_gone(api: Verbs) -> None:
    customer = new_customer(api)
    activity = add_activity(api, customer["id"])
    assert api.delete(activity_path(customer["id"], activity["id"]), headers=if_match(1)).status == 204
    assert api.get(activities_path(customer["id"])).body["items"] == []


# The customer's state, tenancy, ids and roles: test_child_resources.py (the sweep of every child resource).
