"""Items read from DynamoDB become plain values as boto3's TypeDeserializer makes them (sets sorted)."""

from decimal import Decimal

from boto3.dynamodb.types import Binary, TypeSerializer

from clientele import aws
from clientele.store.table import from_item, to_item

STORED = {
    "PK": "ORG#acme#CUST#1", "name": "Zoë Ltd", "empty": "", "version": Decimal("3"), "rate": Decimal("12.5"),
    "active": True, "closed": False, "tags": {"b", "a"}, "amounts": {Decimal("2"), Decimal("1")},
    "phones": [{"number": "+1-212-555-0101", "primary": True}], "address": {"city": "Leeds", "line2": None},
    "blob": Binary(b"\x00\x01"),
}


def test_every_attribute_type_reads_back_as_the_value_written() -> None:
    item = {key: TypeSerializer().serialize(value) for key, value in STORED.items()}
    assert item["empty"] == {"S": ""}
    assert from_item(item) == {**STORED, "tags": ["a", "b"], "amounts": [Decimal("1"), Decimal("2")]}


def test_a_null_attribute_reads_back_as_none() -> None:
    assert from_item({"parentCustomerId": {"NULL": True}}) == {"parentCustomerId": None}


def test_to_item_and_from_item_round_trip_strings_unchanged() -> None:
    assert from_item(to_item({"id": "c-1", "name": "  spaced  "})) == {"id": "c-1", "name": "  spaced  "}


def test_aws_clients_send_the_applications_user_agent() -> None:
    """Fixed, so botocore does not rebuild its standard User-Agent on every call (docs/decisions.md)."""
    user_agent: str = aws.dynamodb().meta.config.user_agent  # type: ignore[attr-defined]  # botocore's stubs omit it
    assert user_agent.startswith("clientele Botocore/")
