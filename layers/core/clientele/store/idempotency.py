"""Where Idempotency-Key records live: Powertools' DynamoDB persistence layer on the table, one per
(org, operation), the records under ``ORG#<org>#IDEMPOTENCY`` with the table's own key attributes and
the shared TTL attribute. ``clientele.api.idempotency`` decides when a record is written and read.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from clientele import aws
from clientele.config import config
from clientele.store import keys

TTL_ATTRIBUTE = "ttl"


@cache
def persistence_layer(org: str, operation: str) -> Any:
    """One persistence layer per (org, operation): Powertools stores the operation as the layer's
    key prefix, so sharing one layer between operations would mix their keys."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(
        table_name=config().table_name,
        key_attr=keys.TABLE_PK,
        sort_key_attr=keys.TABLE_SK,
        static_pk_value=keys.idempotency_pk(org),
        expiry_attr=TTL_ATTRIBUTE,
        boto3_client=aws.dynamodb(),
    )
