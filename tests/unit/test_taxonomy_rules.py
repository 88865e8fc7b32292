"""Pure taxonomy rules (SPEC §4.2): name and sort-order uniqueness, placement, reordering, and the
request models' defaults and refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

import pytest
from pydantic import ValidationError

from clientele.domain.taxonomies import (
    COLORS,
    HIERARCHY_ROLES,
    name_taken,
    next_sort_order,
    order_problem,
    sort_order_taken,
)
from clientele.domain.taxonomy_models import (
    BrokerChanges,
    BrokerFields,
    Color,
    CustomerTypeChanges,
    CustomerTypeFields,
    EntryFields,
    HierarchyRole,
)

ENTRIES = [
    {"id": "a", "name": "Straße", "sortOrder": Decimal(0)},
    {"id": "b", "name": "Commercial  Accounts", "sortOrder": Decimal(4)},
]


def fields_in_error(error: ValidationError) -> list[str]:
    return [".".join(str(part) for part in item["loc"]) for item in error.errors()]


def test_names_compare_after_unicode_case_folding() -> None:
    assert name_taken(ENTRIES, "STRASSE")


def test_names_compare_with_whitespace_collapsed() -> None:
    assert name_taken(ENTRIES, " commercial accounts ")


def test_a_different_name_is_free() -> None:
    assert not name_taken(ENTRIES, "Government")


def test_an_entry_does_not_clash_with_its_own_name() -> None:
    assert not name_taken(ENTRIES, "strasse", except_id="a")


def test_a_sort_order_held_by_another_entry_is_taken() -> None:
    assert sort_order_taken(ENTRIES, 4)
    assert not sort_order_taken(ENTRIES, 4, except_id="b")
    assert not sort_order_taken(ENTRIES, 1)


def test_a_new_entry_goes_after_the_highest_sort_order() -> None:
    assert next_sort_order(ENTRIES) == 5


def test_the_first_entry_of_a_list_gets_sort_order_zero() -> None:
    assert next_sort_order([]) == 0


def test_an_order_naming_every_id_once_is_accepted() -> None:
    assert order_problem(["a", "b", "c"], ["c", "a", "b"]) is None


@pytest.mark.parametrize(
    ("ids", "words"),
    [(["a", "b"], "missing: c"), (["a", "b", "c", "a"], "more than once: a"), (["a", "b", "c", "z"], "not in this list: z")],
)
def test_reorder_requires_every_id_exactly_once(ids: list[str], words: str) -> None:
    problem = order_problem(["a", "b", "c"], ids)
    assert problem is not None and words in problem


def test_an_order_problem_names_only_a_few_ids() -> None:
    problem = order_problem([str(n) for n in range(50)], [])
    assert problem is not None and "and 45 more" in problem


def test_color_choices_are_the_domain_colors() -> None:
    assert get_args(Color) == COLORS


def test_hierarchy_role_choices_are_the_domain_roles() -> None:
    assert get_args(HierarchyRole) == HIERARCHY_ROLES


def test_a_new_type_defaults_to_active_gray_and_no_hierarchy_role() -> None:
    assert CustomerTypeFields(name="Industrial").provided() == {
        "name": "Industrial", "sortOrder": None, "isActive": True, "color": "gray", "hierarchyRole": "none",
    }


def test_names_are_trimmed() -> None:
    assert EntryFields(name="  Gold  ").name == "Gold"


def test_a_patch_reports_only_the_fields_sent() -> None:
    assert CustomerTypeChanges.model_validate({"color": "red"}).provided() == {"color": "red"}


def test_fields_echoed_from_a_read_are_ignored() -> None:
    changes = CustomerTypeChanges.model_validate({"id": "x", "version": 3, "createdAt": "t", "color": "red"})
    assert changes.provided() == {"color": "red"}


@pytest.mark.parametrize("field", ["name", "sortOrder", "isActive", "color", "hierarchyRole"])
def test_a_patch_refuses_null_for_a_field_that_cannot_be_empty(field: str) -> None:
    with pytest.raises(ValidationError) as error:
        CustomerTypeChanges.model_validate({field: None})
    assert fields_in_error(error.value) == [field]


def test_a_patch_may_clear_a_brokers_default_fee() -> None:
    assert BrokerChanges.model_validate({"defaultFeePercent": None}).provided() == {"defaultFeePercent": None}


def test_a_broker_fee_accepts_a_number_or_a_numeric_string() -> None:
    assert BrokerFields.model_validate({"name": "A", "defaultFeePercent": "12.5"}).defaultFeePercent == Decimal("12.5")
    assert BrokerFields.model_validate({"name": "A", "defaultFeePercent": 3}).defaultFeePercent == Decimal(3)


@pytest.mark.parametrize("fee", ["-0.01", "100.01", "ten", "Infinity"])
def test_a_broker_fee_is_between_0_and_100(fee: str) -> None:
    with pytest.raises(ValidationError) as error:
        BrokerFields.model_validate({"name": "A", "defaultFeePercent": fee})
    assert fields_in_error(error.value) == ["defaultFeePercent"]


def test_is_active_must_be_a_real_boolean() -> None:
    with pytest.raises(ValidationError):
        EntryFields.model_validate({"name": "A", "isActive": "yes"})


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        EntryFields.model_validate({"name": "A", "color": "red"})
    assert fields_in_error(error.value) == ["color"]
