"""The CSV import job: started by S3's "Object Created" event (EventBridge) for imports/<org>/<id>.csv,
and continued by its own ``ImportContinueRequested`` events when a file needs more than one invocation."""

import logging
from typing import Any
from urllib.parse import unquote_plus

from clientele import observability
from clientele.services import request_scope
from clientele.services.imports import job as imports

logger = logging.getLogger("clientele")


@request_scope.per_request  # one consistent catalog read per invocation, never carried to the next
def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    detail = event.get("detail") or {}
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    time_left = (lambda: remaining() / 1000) if callable(remaining) else None
    if event.get("detail-type") == imports.CONTINUE_REQUESTED:
        org, import_id = detail.get("org"), detail.get("importId")
        if not isinstance(org, str) or not isinstance(import_id, str):
            logger.warning("an import continuation without org and importId: %s", detail)
            return {"processed": False}
        return {"processed": True, "status": imports.continue_import(org, import_id, time_left)}
    bucket = (detail.get("bucket") or {}).get("name")
    key = (detail.get("object") or {}).get("key")
    if not bucket or not key:
        logger.warning("not an S3 Object Created event: %s", event.get("detail-type"))
        return {"processed": False}
    return {"processed": True, "status": imports.run_from_s3(bucket, unquote_plus(key), time_left)}


lambda_handler = observability.observe_job(_handle, "import")
