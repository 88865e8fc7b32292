"""Handlers in this very process against moto's ``mock_aws``: the set-up the tests and the bench share.

* :func:`environment` — what a handler reads from its environment, pointed at a throw-away table,
  with dummy credentials (a real account is never reachable) and the layer on the import path.
* :func:`moto` — moto's in-process AWS with the local stack's repairs (local/dynamodb.py), the
  template's table, queues and keys (and, when asked, its event bus and imports bucket), and clientele's per-process
  state (configuration, clients, org catalogs) forgotten on the way in and out, as a fresh container.

The local stack itself (``make dev``) runs moto as a server instead and points its containers at it
(``local.dynamodb.point_clients_at``); it creates the table through the same builder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from local.template import ROOT

LAYER = ROOT / "layers" / "core"


def environment(name: str, *, log_level: str = "WARNING", metrics: bool = True) -> None:
    """Set the variables for handlers run in this process: table ``clientele-<name>``, bus
    ``clientele-<name>-bus``, a cursor key, Powertools' service name and ``log_level``; ``metrics=False``
    turns EMF metric documents off (they are printed to stdout, between a report's own lines)."""
    for path in (str(LAYER), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", name)
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", name)
    # Account-based DynamoDB endpoints make botocore want an account id; moto's streams client fails without.
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
    os.environ["TABLE_NAME"] = f"clientele-{name}"
    os.environ["EVENT_BUS_NAME"] = f"clientele-{name}-bus"
    os.environ["CURSOR_SIGNING_KEY"] = f"{name}-cursor-key"
    os.environ["POWERTOOLS_SERVICE_NAME"] = "clientele"
    os.environ["POWERTOOLS_LOG_LEVEL"] = log_level
    if not metrics:
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    # Set by a developer's shell for the local stack; in this process they would change what runs.
    for variable in ("PROVISIONER_FUNCTION", "LOCAL_JWT_SECRET"):
        os.environ.pop(variable, None)
    from local import resources

    os.environ.update(resources.environment(None))  # the template's queues and keys, as moto names them


def forget_state() -> None:
    """Forget what a warm container keeps (configuration, AWS clients, org catalogs)."""
    from clientele import aws
    from clientele.config import reset_config
    from clientele.services import orgs

    reset_config()
    aws.reset_clients()
    orgs.forget_all()


@contextmanager
def moto(*, event_bus: bool = False, bucket: bool = False) -> Iterator[str]:
    """moto's ``mock_aws`` holding the template's table (yielded by name), repaired as in the local stack."""
    from moto import mock_aws

    from local import resources
    from local.dynamodb import create_event_bus, create_table, install_repairs

    # moto's cancelled transactions deep-copy the table and orphan the stream, and its Queries sort
    # the whole table; the repairs apply here as in the local stack.
    undo_repairs = install_repairs()
    try:
        with mock_aws():
            forget_state()
            from clientele.config import config

            create_table(config().table_name)
            resources.create()  # the webhook delivery queue, the webhook secrets key
            if event_bus:
                create_event_bus(config().event_bus_name)
            if bucket:
                import boto3

                boto3.client("s3").create_bucket(Bucket=config().imports_bucket)
            yield config().table_name
            forget_state()
    finally:
        undo_repairs()
