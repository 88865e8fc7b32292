"""Shared fixtures: a moto DynamoDB table built from template.yaml, and an API client that calls
the very handler modules the template routes to, with real-shaped API Gateway v2 events."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
os.environ["TABLE_NAME"] = "clientele-test"
os.environ["CURSOR_SIGNING_KEY"] = "test-cursor-key"
os.environ["POWERTOOLS_SERVICE_NAME"] = "clientele"
os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
os.environ.pop("PROVISIONER_FUNCTION", None)
os.environ.pop("LOCAL_JWT_SECRET", None)

from local import template
from local.invoke import Api


@pytest.fixture
def table() -> Iterator[str]:
    from moto import mock_aws

    from clientele import aws
    from clientele.config import reset_config
    from clientele.services import orgs
    from local.dynamodb import install_transaction_rollback

    # moto's cancelled transactions deep-copy the table and orphan the stream; the local stack's
    # repair restores only the named items (see local/dynamodb.py).
    undo_rollback = install_transaction_rollback()
    with mock_aws():
        reset_config()
        aws.reset_clients()
        orgs.forget_all()
        import boto3

        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName=os.environ["TABLE_NAME"], **template.table_definition())
        yield os.environ["TABLE_NAME"]
        aws.reset_clients()
        orgs.forget_all()
    undo_rollback()


@pytest.fixture
def api(table: str) -> Api:
    return Api()
