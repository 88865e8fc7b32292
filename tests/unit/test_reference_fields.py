"""One table of reference fields (domain/references.py): what enumerates the customer's references
(type, segment, category, broker, payment terms) derives from it, and the places that must spell them out for the
type checker or the OpenAPI document (a ``Literal``, a handler's query parameters, a model's fields)
list exactly its rows, so adding a reference is a row there and a failing test everywhere else."""

from __future__ import annotations

import inspect
from typing import get_args

from clientele.api.schemas.customers import Customer
from clientele.domain.customers import CustomerFields
from clientele.domain.references import (
    IMPORT_COLUMNS,
    KIND_OF_FIELD,
    KINDS,
    REFERENCE_FIELDS,
    REPORTED_KINDS,
    SET_NULL_KINDS,
    Kind,
)
from clientele.domain.reports import REPORT_DIMENSIONS, VALUE_DIMENSIONS
from clientele.domain.taxonomies import SPECS
from clientele.services import reports
from clientele.store import keys
from clientele.streams import projectors
from functions.customers.list import list_customers
from functions.reports.customers import GroupBy
from local import template


def test_the_kind_literal_lists_exactly_the_tables_kinds() -> None:
    assert set(get_args(Kind)) == set(KINDS)


def test_each_kind_field_name_and_path_appears_in_one_row_only() -> None:
    for attribute in ("kind", "field", "name", "path"):
        values = [getattr(reference, attribute) for reference in REFERENCE_FIELDS]
        assert len(values) == len(set(values)), attribute


def test_the_table_yields_the_references_of_the_spec() -> None:
    """The four references as SPEC §4.2 to §4.9 define them, and payment terms (SPEC §13)."""
    assert KIND_OF_FIELD == {"customerTypeId": "type", "customerSegmentId": "segment",
                             "customerCategoryId": "category", "brokerId": "broker", "paymentTermsId": "terms"}
    assert SET_NULL_KINDS == {"segment": "customerSegmentId", "category": "customerCategoryId", "broker": "brokerId",
                              "terms": "paymentTermsId"}
    assert IMPORT_COLUMNS == {"customerType": ("type", "customerTypeId"),
                              "customerSegment": ("segment", "customerSegmentId"),
                              "paymentTerms": ("terms", "paymentTermsId")}
    assert REPORT_DIMENSIONS == {"customerType": "customerTypeId", "customerSegment": "customerSegmentId",
                                 "customerCategory": "customerCategoryId", "paymentTerms": "paymentTermsId",
                                 "accountState": "accountState", "accountPriority": "accountPriority"}
    assert {kind: spec.on_delete for kind, spec in SPECS.items()} == {
        "type": "restrict", "segment": "set_null", "category": "set_null", "broker": "set_null",
        "terms": "set_null"}


def test_every_reference_is_a_customer_field_a_response_field_and_an_event_field() -> None:
    fields = set(KIND_OF_FIELD)

    assert fields <= set(CustomerFields.model_fields)
    assert fields <= set(Customer.model_fields)
    assert fields <= set(projectors._EVENT_CUSTOMER_FIELDS)


def test_every_facet_is_a_query_filter_of_the_customer_list() -> None:
    parameters = set(inspect.signature(list_customers).parameters)

    assert set(keys.FACETS) <= parameters
    assert set(KIND_OF_FIELD) <= set(keys.FACETS)


def test_the_report_group_by_literal_lists_exactly_the_report_dimensions() -> None:
    assert get_args(GroupBy) == tuple(REPORT_DIMENSIONS)
    assert set(reports.TAXONOMY_GROUPS) == set(REPORTED_KINDS)
    assert tuple(reports.VALUE_GROUPS) == VALUE_DIMENSIONS


def test_every_taxonomy_list_has_its_collection_route_in_the_template() -> None:
    routes = {(route.method, route.path) for function in template.functions() for route in function.routes}

    assert {("GET", spec.path) for spec in SPECS.values()} <= routes
    assert {("POST", spec.path) for spec in SPECS.values()} <= routes
