"""What operators see of every invocation (SPEC §7.2, docs/operations.md).

* Logs: one JSON line per event through Powertools Logger, with the request id as ``correlation_id``,
  the org, the operation, the status and the duration; never a token, a secret or a body. The
  services' own ``logging.getLogger("clientele…")`` warnings go through the same JSON formatter and
  carry the same keys while an event is handled.
* Metrics: CloudWatch EMF through Powertools (namespace ``POWERTOOLS_METRICS_NAMESPACE``, dimension
  ``service``): ``OperationErrors`` by ``operation`` and ``code``, ``StreamRecordsProcessed`` /
  ``StreamRecordsFailed``, ``ImportRowsImported`` / ``ImportRowsFailed``, ``SyncRuns`` by ``outcome``,
  ``WebhookDeliveries`` by ``outcome`` (services/webhooks/delivery.py).

The HTTP entrypoints (:mod:`clientele.api.http`), the stream processor and the jobs wrap their handler
once here, so no handler logs or counts on its own. A leaf module: it imports only Powertools, which
every handler has imported already (the cold-import budget, docs/decisions.md).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, single_metric
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "clientele"
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Clientele"
# The keys one event adds to every line logged while it is handled.
_EVENT_KEYS = ["correlation_id", "org", "operation"]

logger = Logger(service=SERVICE)
# Lambda's runtime puts its own handler on the root logger: propagating would write every line twice.
logging.getLogger(SERVICE).propagate = False


def annotate(**keys: str | None) -> None:
    """Add keys (e.g. the org once the caller is authenticated) to the lines of the current event."""
    logger.append_keys(**keys)


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """One EMF metric, written at once (the dimensions belong to this figure only)."""
    if value <= 0 or is_metrics_disabled():
        return
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE,
                       default_dimensions={"service": SERVICE}) as metric:
        for dimension, dimension_value in dimensions.items():
            metric.add_dimension(name=dimension, value=dimension_value)


def _milliseconds_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _problem_code(response: Mapping[str, Any]) -> str:
    """The problem+json ``code`` of an error response (``unknown`` when the body is not a problem)."""
    try:
        body = json.loads(response.get("body") or "{}")
    except (TypeError, ValueError):
        return "unknown"
    return str(body.get("code") or "unknown") if isinstance(body, dict) else "unknown"


def observe_request(handler: LambdaHandler) -> LambdaHandler:
    """An HTTP API handler that logs one line per request and counts its errors by problem code."""

    def observed(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        operation = str(event.get("routeKey") or "-")
        logger.append_keys(correlation_id=(event.get("requestContext") or {}).get("requestId"), operation=operation)
        response: dict[str, Any] = {}
        try:
            response = handler(event, context)
            return response
        finally:
            status = int(response.get("statusCode", 500))
            if status >= 400:
                count("OperationErrors", operation=operation,
                      code=_problem_code(response) if response else "internal_error")
            logger.info("request", extra={"status": status, "duration_ms": _milliseconds_since(started)})
            logger.remove_keys(_EVENT_KEYS)

    return observed


def observe_stream(handler: LambdaHandler) -> LambdaHandler:
    """A stream batch handler that logs one line per batch and counts records processed and failed."""

    def observed(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        records = len(event.get("Records") or [])
        logger.append_keys(correlation_id=getattr(context, "aws_request_id", None), operation="stream")
        failed = records  # until the handler says otherwise: a batch that raised failed as a whole
        try:
            response = handler(event, context)
            failed = len(response.get("batchItemFailures") or [])
            return response
        finally:
            count("StreamRecordsProcessed", records - failed)
            count("StreamRecordsFailed", failed)
            logger.info("stream batch", extra={"status": "partial" if failed else "ok", "records": records,
                                               "failed": failed, "duration_ms": _milliseconds_since(started)})
            logger.remove_keys(_EVENT_KEYS)

    return observed


def observe_job(handler: LambdaHandler, operation: str) -> LambdaHandler:
    """An EventBridge-invoked job that logs one line per event (the event id is the correlation id)."""

    def observed(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        raw_detail = event.get("detail")
        detail: dict[str, Any] = raw_detail if isinstance(raw_detail, dict) else {}
        org = detail.get("org") if isinstance(detail.get("org"), str) else None
        logger.append_keys(correlation_id=event.get("id"), org=org, operation=operation)
        status = "error"
        try:
            result = handler(event, context)
            status = str(result.get("status") or ("processed" if result.get("processed") else "ignored"))
            return result
        finally:
            logger.info("job", extra={"status": status, "event": event.get("detail-type"),
                                      "duration_ms": _milliseconds_since(started)})
            logger.remove_keys(_EVENT_KEYS)

    return observed


def observe_queue(handler: LambdaHandler, operation: str) -> LambdaHandler:
    """An SQS batch handler (ReportBatchItemFailures) that logs one line per batch with its counts."""

    def observed(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        records = len(event.get("Records") or [])
        logger.append_keys(correlation_id=getattr(context, "aws_request_id", None), operation=operation)
        failed = records
        try:
            response = handler(event, context)
            failed = len(response.get("batchItemFailures") or [])
            return response
        finally:
            logger.info("queue batch", extra={"status": "partial" if failed else "ok", "records": records,
                                              "failed": failed, "duration_ms": _milliseconds_since(started)})
            logger.remove_keys(_EVENT_KEYS)

    return observed
