from typing import Any

from clientele.domain.customers import check_hierarchy


def rules(**overrides: Any) -> list[tuple[str, str]]:
    args: dict[str, Any] = {"customer_id": "c", "role": "none", "parent_id": None, "parent_role": None, "ancestor_ids": [],
            "subtree_height": 0, "live_member_children": 0}
    args.update(overrides)
    return [(e.field, e.message) for e in check_hierarchy(**args)]


def test_purchaser_cannot_have_a_parent() -> None:
    assert rules(role="purchaser", parent_id="p", parent_role="none", ancestor_ids=["p"])


def test_member_needs_a_parent() -> None:
    assert rules(role="member")


def test_member_parent_must_be_a_purchaser() -> None:
    assert rules(role="member", parent_id="p", parent_role="none", ancestor_ids=["p"])
    assert not rules(role="member", parent_id="p", parent_role="purchaser", ancestor_ids=["p"])


def test_none_role_takes_any_parent_or_none() -> None:
    assert not rules()
    assert not rules(parent_id="p", parent_role="member", ancestor_ids=["p"])


def test_a_customer_cannot_be_its_own_ancestor() -> None:
    assert rules(parent_id="c", parent_role="none", ancestor_ids=["c"])
    assert rules(parent_id="p", parent_role="none", ancestor_ids=["p", "g", "c"])


def test_depth_is_at_most_ten_levels() -> None:
    nine = [f"a{i}" for i in range(9)]
    assert not rules(parent_id="a0", parent_role="none", ancestor_ids=nine)
    assert rules(parent_id="a0", parent_role="none", ancestor_ids=[*nine, "a9"])


def test_moving_a_subtree_counts_its_height() -> None:
    assert rules(parent_id="a0", parent_role="none", ancestor_ids=[f"a{i}" for i in range(8)], subtree_height=2)


def test_a_purchaser_with_member_children_keeps_its_role() -> None:
    assert rules(role="none", live_member_children=1) == [
        ("customerTypeId", "This customer has member children, so its type must stay a purchaser.")]
