"""Shared fixtures: a moto DynamoDB table built from template.yaml, and an API client that calls
the very handler modules the template routes to, with real-shaped API Gateway v2 events."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

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

from local import resources, template
from local.invoke import Api
from tests.e2e.conftest import stack

__all__ = ["stack"]

# The template's queues and keys (the webhook delivery queue, the secrets key) as moto names them.
os.environ.update(resources.environment(None))


@pytest.fixture
def table() -> Iterator[str]:
    from moto import mock_aws

    from clientele import aws
    from clientele.config import reset_config
    from clientele.services import orgs
    from local.dynamodb import install_repairs

    # moto's cancelled transactions deep-copy the table and orphan the stream, and its Queries sort
    # the whole table; the local stack's repairs (local/dynamodb.py) apply here too.
    undo_repairs = install_repairs()
    with mock_aws():
        reset_config()
        aws.reset_clients()
        orgs.forget_all()
        import boto3

        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName=os.environ["TABLE_NAME"], **template.table_definition())
        resources.create()
        yield os.environ["TABLE_NAME"]
        aws.reset_clients()
        orgs.forget_all()
    undo_repairs()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module marked ``over_http`` states the API's behaviour, so each of its tests runs twice:
    in-process (handlers invoked with API Gateway events) and over real HTTP against the local stack
    (``make dev``'s server). A test that reaches into the table itself, or into state shared by every
    org (marked ``in_process``), stays in-process."""
    if "api" in metafunc.fixturenames and metafunc.definition.get_closest_marker("over_http"):
        local_only = "table" in metafunc.fixturenames or metafunc.definition.get_closest_marker("in_process")
        transports = ["handler"] if local_only else ["handler", "http"]
        metafunc.parametrize("api", transports, indirect=True)


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[Any]:
    if getattr(request, "param", "handler") == "http":
        from tests.api import helpers
        from tests.http_api import HttpApi

        helpers.over_http = HttpApi(request.getfixturevalue("stack"))
        yield helpers.over_http
        helpers.over_http = None
        return
    request.getfixturevalue("table")
    yield Api()
