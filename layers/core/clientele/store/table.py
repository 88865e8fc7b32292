"""Thin, typed access to the table: (de)serialisation with boto3's own TypeSerializer and the
low-level client (the resource API adds ~40 ms of cold start and hides cancellation reasons)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from clientele import aws
from clientele.config import config

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

Item = dict[str, Any]


@dataclass
class ListPage:
    """One page of a Query: the items and where the next page starts (None on the last)."""

    items: list[Item]
    last_key: dict[str, Any] | None


@cache
def _serializer() -> TypeSerializer:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


@cache
def _deserializer() -> TypeDeserializer:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def to_attr(value: Any) -> dict[str, Any]:
    return cast(dict[str, Any], _serializer().serialize(value))


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: to_attr(value) for key, value in values.items() if value is not None}


def from_item(item: Mapping[str, Any]) -> Item:
    deserializer = _deserializer()
    return {key: _plain(deserializer.deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    """Sets come back as Python sets; lists of Decimals stay Decimals (never floats)."""
    if isinstance(value, set):
        return sorted(value)
    return value


def table_name() -> str:
    return config().table_name


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def read_item(item_key: dict[str, Any]) -> Item | None:
    """The item under ``item_key`` (a consistent GetItem), or None."""
    item = aws.dynamodb().get_item(TableName=table_name(), Key=item_key, ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def values(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """ExpressionAttributeValues from plain Python values."""
    return {name: to_attr(value) for name, value in mapping.items()}


def as_int(value: Any, default: int = 0) -> int:
    return int(value) if isinstance(value, Decimal | int) else default
