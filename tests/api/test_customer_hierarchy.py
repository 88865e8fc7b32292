"""Parent/child rules by the type's hierarchyRole, cycles, depth, has_children and restore (SPEC §4.3)."""

from __future__ import annotations

from typing import Any

import pytest

from local.invoke import Verbs

from .helpers import customer_body
from .parts import assert_problem, error_fields
from .test_customers import _add_entry

pytestmark = pytest.mark.over_http


@pytest.fixture
def roles(table: str) -> dict[str, str]:
    return {
        "purchaser": _add_entry("acme", "type", "Purchaser", color="red", hierarchyRole="purchaser", sortOrder=10),
        "member": _add_entry("acme", "type", "Location", color="gray", hierarchyRole="member", sortOrder=11),
    }


def create(api: Verbs, **fields: Any) -> dict[str, Any]:
    reply = api.post("/customers", customer_body(**fields))
    assert reply.status == 201, reply.body
    return reply.body


def test_member_must_have_a_purchaser_parent(api: Verbs, roles: dict[str, str]) -> None:
    plain = create(api)
    reply = api.post("/customers", customer_body(customerTypeId=roles["member"], parentCustomerId=plain["id"]))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["parentCustomerId"]
    purchaser = create(api, customerTypeId=roles["purchaser"])
    assert create(api, customerTypeId=roles["member"], parentCustomerId=purchaser["id"])


def test_member_without_parent_is_422(api: Verbs, roles: dict[str, str]) -> None:
    reply = api.post("/customers", customer_body(customerTypeId=roles["member"]))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["parentCustomerId"]


def test_purchaser_cannot_have_a_parent(api: Verbs, roles: dict[str, str]) -> None:
    parent = create(api)
    reply = api.post("/customers", customer_body(customerTypeId=roles["purchaser"], parentCustomerId=parent["id"]))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["parentCustomerId"]


def test_parent_must_exist_in_the_org(api: Verbs, roles: dict[str, str]) -> None:
    other = api.post("/customers", customer_body("globex"), org="globex").body
    reply = api.post("/customers", customer_body(parentCustomerId=other["id"]))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["parentCustomerId"]


def test_a_customer_cannot_become_its_own_ancestor(api: Verbs, roles: dict[str, str]) -> None:
    top = create(api)
    middle = create(api, parentCustomerId=top["id"])
    bottom = create(api, parentCustomerId=middle["id"])
    reply = api.patch(f"/customers/{top['id']}", {"parentCustomerId": bottom["id"]}, headers={"If-Match": '"1"'})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["parentCustomerId"]
    reply = api.patch(f"/customers/{top['id']}", {"parentCustomerId": top["id"]}, headers={"If-Match": '"1"'})
    assert_problem(reply, 422, "validation_error")


def test_depth_is_at_most_ten(api: Verbs, roles: dict[str, str]) -> None:
    parent = create(api)
    for _ in range(9):
        parent = create(api, parentCustomerId=parent["id"])
    reply = api.post("/customers", customer_body(parentCustomerId=parent["id"]))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["parentCustomerId"]


def test_delete_with_live_children_is_409_has_children(api: Verbs, roles: dict[str, str]) -> None:
    parent = create(api)
    create(api, parentCustomerId=parent["id"])
    reply = api.delete(f"/customers/{parent['id']}", headers={"If-Match": '"1"'})
    assert reply.status == 409
    assert reply.body["code"] == "has_children"


def test_delete_is_allowed_once_children_are_deleted_or_moved(api: Verbs, roles: dict[str, str]) -> None:
    parent = create(api)
    child = create(api, parentCustomerId=parent["id"])
    moved = create(api, parentCustomerId=parent["id"])
    assert api.delete(f"/customers/{child['id']}", headers={"If-Match": '"1"'}).status == 204
    assert api.patch(f"/customers/{moved['id']}", {"parentCustomerId": None}, headers={"If-Match": '"1"'}).status == 200
    assert api.delete(f"/customers/{parent['id']}", headers={"If-Match": '"1"'}).status == 204


def test_restoring_a_customer_whose_parent_is_deleted_is_409(api: Verbs, roles: dict[str, str]) -> None:
    parent = create(api)
    child = create(api, parentCustomerId=parent["id"])
    api.delete(f"/customers/{child['id']}", headers={"If-Match": '"1"'})
    api.delete(f"/customers/{parent['id']}", headers={"If-Match": '"1"'})
    reply = api.post(f"/customers/{child['id']}/restore", headers={"If-Match": '"2"'})
    assert_problem(reply, 409, "parent_deleted")


def test_a_deleted_customer_cannot_be_a_parent(api: Verbs, roles: dict[str, str]) -> None:
    parent = create(api)
    api.delete(f"/customers/{parent['id']}", headers={"If-Match": '"1"'})
    reply = api.post("/customers", customer_body(parentCustomerId=parent["id"]))
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["parentCustomerId"]


def test_changing_type_so_children_break_their_rule_is_422(api: Verbs, roles: dict[str, str]) -> None:
    purchaser = create(api, customerTypeId=roles["purchaser"])
    create(api, customerTypeId=roles["member"], parentCustomerId=purchaser["id"])
    reply = api.patch(f"/customers/{purchaser['id']}", {"customerTypeId": customer_body()["customerTypeId"]},
                      headers={"If-Match": '"1"'})
    assert_problem(reply, 422, "validation_error")
    assert error_fields(reply) == ["customerTypeId"]


def test_changing_a_child_to_purchaser_while_it_has_a_parent_is_422(api: Verbs, roles: dict[str, str]) -> None:
    parent = create(api)
    child = create(api, parentCustomerId=parent["id"])
    reply = api.patch(f"/customers/{child['id']}", {"customerTypeId": roles["purchaser"]}, headers={"If-Match": '"1"'})
    assert_problem(reply, 422, "validation_error")


def test_restore_puts_the_child_back_under_its_parent(api: Verbs, roles: dict[str, str]) -> None:
    parent = create(api)
    child = create(api, parentCustomerId=parent["id"])
    api.delete(f"/customers/{child['id']}", headers={"If-Match": '"1"'})
    assert api.post(f"/customers/{child['id']}/restore", headers={"If-Match": '"2"'}).status == 200
    assert api.delete(f"/customers/{parent['id']}", headers={"If-Match": '"1"'}).body["code"] == "has_children"


def test_moving_a_child_under_its_sibling_keeps_both_counts_right(api: Verbs) -> None:
    """The old parent is then also the new parent's parent: one transaction item does both jobs."""
    top = create(api, companyName="Top")
    first = create(api, companyName="First", parentCustomerId=top["id"])
    second = create(api, companyName="Second", parentCustomerId=top["id"])
    moved = api.patch(f"/customers/{second['id']}", {"parentCustomerId": first["id"]}, headers={"If-Match": '"1"'})
    assert moved.status == 200, moved.body
    assert api.delete(f"/customers/{top['id']}", headers={"If-Match": '"1"'}).body["code"] == "has_children"
    assert api.delete(f"/customers/{second['id']}", headers={"If-Match": '"2"'}).status == 204
    assert api.delete(f"/customers/{first['id']}", headers={"If-Match": '"1"'}).status == 204
    assert api.delete(f"/customers/{top['id']}", headers={"If-Match": '"1"'}).status == 204


def test_bill_with_parent_is_kept_for_a_customer_with_a_parent(api: Verbs) -> None:
    parent = create(api, companyName="Jeff's Jalopies")
    child = create(api, companyName="Test Project", parentCustomerId=parent["id"], billWithParent=True)
    assert child["billWithParent"] is True
    assert parent["billWithParent"] is False


def test_bill_with_parent_without_a_parent_is_422(api: Verbs) -> None:
    reply = api.post("/customers", customer_body(companyName="Orphan", billWithParent=True))
    assert reply.status == 422
    assert reply.body["code"] == "validation_error"
    assert error_fields(reply) == ["billWithParent"]
