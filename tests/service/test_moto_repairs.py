"""The local engine's repairs of moto (local/dynamodb.py): a repaired Query answers exactly what moto does,
and a repair that no longer fits the installed moto fails loudly instead of silently not installing."""

from __future__ import annotations

import itertools
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.dynamodb import (
    RepairFailed,
    create_table,
    install_partition_queries,
    install_repairs,
    install_transaction_rollback,
)

TABLE = "repairs"


def _items() -> list[dict[str, Any]]:
    items = []
    for org, customer, n in itertools.product(("a", "b"), range(3), range(4)):
        pk = f"ORG#{org}#CUST#{customer}"
        items.append({"PK": {"S": pk}, "SK": {"S": f"ACTIVITY#{n}"}, "LSI1SK": {"S": f"ACTIVITY#2026-0{n + 1}#{n}"},
                      "kind": {"S": "note" if n % 2 else "task"}})
    for org, n in itertools.product(("a", "b"), range(6)):
        items.append({"PK": {"S": f"ORG#{org}#CUST#c{n}"}, "SK": {"S": "CUSTOMER"},
                      "GSI1PK": {"S": f"ORG#{org}#CUSTOMERS"}, "GSI1SK": {"S": f"name {5 - n}#c{n}"},
                      "kind": {"S": "vip" if n % 3 == 0 else "plain"}})
    return items


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": {"S": "ORG#a#CUST#1"}}},
    {"KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high", "ScanIndexForward": False,
     "ExpressionAttributeValues": {":pk": {"S": "ORG#b#CUST#2"}, ":low": {"S": "ACTIVITY#1"},
                                   ":high": {"S": "ACTIVITY#3"}}},
    {"KeyConditionExpression": "PK = :pk", "Limit": 2, "FilterExpression": "kind = :kind",
     "ExpressionAttributeValues": {":pk": {"S": "ORG#a#CUST#0"}, ":kind": {"S": "task"}}},
    {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": {"S": "ORG#nobody#CUST#0"}}},
    {"IndexName": "LSI1", "KeyConditionExpression": "PK = :pk AND begins_with(LSI1SK, :p)", "ScanIndexForward": False,
     "ExpressionAttributeValues": {":pk": {"S": "ORG#a#CUST#2"}, ":p": {"S": "ACTIVITY#"}}},
    {"IndexName": "GSI1", "KeyConditionExpression": "GSI1PK = :pk", "Limit": 4,
     "ExpressionAttributeValues": {":pk": {"S": "ORG#b#CUSTOMERS"}}},
    {"IndexName": "GSI1", "KeyConditionExpression": "GSI1PK = :pk AND begins_with(GSI1SK, :p)",
     "FilterExpression": "kind = :kind",
     "ExpressionAttributeValues": {":pk": {"S": "ORG#a#CUSTOMERS"}, ":p": {"S": "name"}, ":kind": {"S": "vip"}}},
]


def _pages(client: Any, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of the query, following LastEvaluatedKey, as (Items, Count, LastEvaluatedKey)."""
    pages, start = [], None
    while True:
        reply = client.query(TableName=TABLE, **query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append({key: reply.get(key) for key in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")})
        start = reply.get("LastEvaluatedKey")
        if not start:
            return pages


@pytest.mark.parametrize("query", QUERIES, ids=[f"query{n}" for n in range(len(QUERIES))])
def test_a_repaired_query_answers_exactly_what_moto_answers(query: dict[str, Any]) -> None:
    with mock_aws():
        create_table(TABLE)
        client = boto3.client("dynamodb", region_name="us-east-1")
        for item in _items():
            client.put_item(TableName=TABLE, Item=item)
        expected = _pages(client, query)
        undo = install_partition_queries()
        try:
            from moto.dynamodb.models.table import Table

            assert getattr(Table.query, "_partition_queries", False), "the repair did not install on this moto"
            repaired = _pages(client, query)
        finally:
            undo()
    assert repaired == expected
    assert any(page["Items"] for page in expected) or query["ExpressionAttributeValues"][":pk"]["S"].startswith(
        "ORG#nobody")


def test_both_repairs_install_on_the_pinned_moto() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    undo = install_repairs()
    try:
        assert getattr(DynamoDBBackend.transact_write_items, "_item_rollback", False)
        assert getattr(Table.query, "_partition_queries", False)
    finally:
        undo()


def test_a_query_repair_that_no_longer_fits_moto_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.table import Table

    def query_of_a_newer_moto(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self.items_by_partition(*args, **kwargs)

    monkeypatch.setattr(Table, "query", query_of_a_newer_moto)
    with pytest.raises(RepairFailed, match=r"install_partition_queries cannot install on moto \d"):
        install_partition_queries()
    assert Table.query is query_of_a_newer_moto


def test_a_rollback_repair_that_no_longer_fits_moto_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models import DynamoDBBackend

    def transact_of_a_newer_moto(self: Any, transact_items: list[dict[str, Any]]) -> None:
        self.apply_atomically(transact_items)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", transact_of_a_newer_moto)
    with pytest.raises(RepairFailed, match="install_transaction_rollback cannot install"):
        install_transaction_rollback()
    assert DynamoDBBackend.transact_write_items is transact_of_a_newer_moto
