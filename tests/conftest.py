"""Shared fixtures: a moto DynamoDB table built from template.yaml, and an API client that calls
the very handler modules the template routes to, with real-shaped API Gateway v2 events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local import in_process
from local.invoke import Api, Verbs
from tests.e2e.conftest import stack

__all__ = ["stack"]

in_process.environment("test")  # pytest loads this before any test module imports a handler


@pytest.fixture
def table() -> Iterator[str]:
    with in_process.moto() as name:
        yield name


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
def api(request: pytest.FixtureRequest) -> Iterator[Verbs]:
    if getattr(request, "param", "handler") == "http":
        from tests.api import helpers
        from tests.http_api import HttpApi

        helpers.over_http = HttpApi(request.getfixturevalue("stack"))
        yield helpers.over_http
        helpers.over_http = None
        return
    request.getfixturevalue("table")
    yield Api()
