"""AWS clients, created lazily and cached per process keyed by their arguments.

Every DynamoDB client counts its API calls into a context variable so that the local stack's
request log and `make bench` can report round trips per operation without guessing.
"""

from __future__ import annotations

import contextvars
import threading
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_dynamodb_calls: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "dynamodb_calls", default=None
)


def start_counting_dynamodb_calls() -> list[str]:
    """Begin recording DynamoDB operation names for the current context; returns the live list."""
    calls: list[str] = []
    _dynamodb_calls.set(calls)
    return calls


def _record_call(model: Any, **_: Any) -> None:
    calls = _dynamodb_calls.get()
    if calls is not None:
        calls.append(model.name)


_creating = threading.Lock()


@cache
def _session() -> Any:
    """One botocore session for every client: it loads each service model and the endpoint rules
    once (a session of its own per client parsed them again, ~100 ms a client)."""
    import boto3

    return boto3.session.Session()


@cache
def _client(service: str, region: str | None, endpoint_url: str | None) -> Any:
    from botocore.config import Config

    from clientele.config import config

    # Standard retry mode retries throttling and 5xx with jittered backoff; connections are
    # reused across invocations of a warm container.
    client_config = Config(
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=2,
        read_timeout=config().client_read_timeout_seconds,
        tcp_keepalive=True,
    )
    with _creating:  # a session is not thread-safe (the clients it makes are)
        client = _session().client(service, region_name=region, endpoint_url=endpoint_url, config=client_config)
    if service == "dynamodb":
        client.meta.events.register("before-call.dynamodb", _record_call)
    return client


def client(service: str) -> Any:
    import os

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL")
    return _client(service, region, endpoint)


def dynamodb() -> DynamoDBClient:
    dynamodb_client: DynamoDBClient = client("dynamodb")
    return dynamodb_client


def reset_clients() -> None:
    """Drop cached clients (tests switch endpoints between runs); the session and the models it
    loaded stay."""
    _client.cache_clear()
