"""Webhook fan-out: a domain event from the project's bus (EventBridge rule) becomes one queued delivery per
subscription that wants it (services/webhooks/fanout.py)."""

from typing import Any

from clientele import observability
from clientele.services.webhooks import fanout


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raw = event.get("detail")
    detail: dict[str, Any] = raw if isinstance(raw, dict) else {}
    observability.annotate(org=detail.get("orgId") if isinstance(detail.get("orgId"), str) else None)
    queued = fanout.fan_out(str(event.get("detail-type") or ""), detail)
    return {"processed": True, "status": f"{queued} queued"}


lambda_handler = observability.observe_job(_handle, "webhook-fanout")
