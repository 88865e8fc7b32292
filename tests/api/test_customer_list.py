"""GET /customers: display-name order, filters, q prefix, deleted ones, cursors (SPEC §3, §4.3)."""

from __future__ import annotations

from typing import Any

import pytest

from local.invoke import Reply, Verbs
from tests.api.parts import assert_problem

from .helpers import customer_body, default_type_id

pytestmark = pytest.mark.over_http


def make(api: Verbs, name: str, org: str = "acme", **fields: Any) -> dict[str, Any]:
    reply = api.post("/customers", customer_body(org, companyName=name, **fields), org=org)
    assert reply.status == 201, reply.body
    return reply.body


def names(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [item["displayName"] for item in reply.body["items"]]


def test_list_is_sorted_by_display_name_case_insensitively(api: Verbs) -> None:
    for name in ("beta", "Alpha", "charlie"):
        make(api, name)
    assert names(api.get("/customers")) == ["Alpha", "beta", "charlie"]


def test_q_is_a_case_insensitive_prefix_of_the_display_name(api: Verbs) -> None:
    for name in ("Harbour Hotel", "harbor view", "Hill Farm"):
        make(api, name)
    assert names(api.get("/customers", query="q=HARB")) == ["harbor view", "Harbour Hotel"]


def test_filters_combine(api: Verbs) -> None:
    government = default_type_id(name="Government")
    make(api, "A", accountState="growth")
    make(api, "B", accountState="growth", customerTypeId=government)
    make(api, "C", customerTypeId=government)
    assert names(api.get("/customers", query="accountState=growth")) == ["A", "B"]
    assert names(api.get("/customers", query=f"accountState=growth&customerTypeId={government}")) == ["B"]


def test_parent_filter_lists_children(api: Verbs) -> None:
    parent = make(api, "Parent")
    make(api, "Kid", parentCustomerId=parent["id"])
    make(api, "Other")
    assert names(api.get("/customers", query=f"parentCustomerId={parent['id']}")) == ["Kid"]


def test_deleted_customers_are_hidden_unless_asked_for(api: Verbs) -> None:
    gone = make(api, "Gone")
    make(api, "Here")
    api.delete(f"/customers/{gone['id']}", headers={"If-Match": '"1"'})
    assert names(api.get("/customers")) == ["Here"]
    assert names(api.get("/customers", query="includeDeleted=true")) == ["Gone", "Here"]


def test_pages_follow_the_cursor_to_the_end(api: Verbs) -> None:
    for index in range(5):
        make(api, f"Customer {index}")
    seen, cursor = [], None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        reply = api.get("/customers", query=query)
        seen += names(reply)
        cursor = reply.body["nextCursor"]
        if not cursor:
            break
    assert seen == [f"Customer {index}" for index in range(5)]


def test_limit_outside_1_to_100_is_422(api: Verbs) -> None:
    assert_problem(api.get("/customers", query="limit=0"), 422, "validation_error")
    assert_problem(api.get("/customers", query="limit=101"), 422, "validation_error")


def test_edited_cursor_is_400_bad_cursor(api: Verbs) -> None:
    for index in range(3):
        make(api, f"C{index}")
    cursor = api.get("/customers", query="limit=1").body["nextCursor"]
    reply = api.get("/customers", query=f"limit=1&cursor=x{cursor}")
    assert reply.status == 400
    assert reply.body["code"] == "bad_cursor"


def test_cursor_of_another_org_is_400(api: Verbs) -> None:
    for index in range(3):
        make(api, f"C{index}")
    cursor = api.get("/customers", query="limit=1").body["nextCursor"]
    reply = api.get("/customers", query=f"limit=1&cursor={cursor}", org="globex")
    assert_problem(reply, 400, "bad_cursor")


def test_other_orgs_customers_never_appear(api: Verbs) -> None:
    make(api, "Mine")
    make(api, "Theirs", org="globex")
    assert names(api.get("/customers")) == ["Mine"]


def test_invalid_enum_filter_is_422(api: Verbs) -> None:
    assert_problem(api.get("/customers", query="accountState=sleepy"), 422, "validation_error")
