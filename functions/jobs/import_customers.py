"""The CSV import job: started by S3's "Object Created" event (EventBridge) for imports/<org>/<id>.csv."""

import logging
from typing import Any
from urllib.parse import unquote_plus

from clientele.services import imports

logger = logging.getLogger("clientele")


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    detail = event.get("detail") or {}
    bucket = (detail.get("bucket") or {}).get("name")
    key = (detail.get("object") or {}).get("key")
    if not bucket or not key:
        logger.warning("not an S3 Object Created event: %s", event.get("detail-type"))
        return {"processed": False}
    imports.run_from_s3(bucket, unquote_plus(key))
    return {"processed": True}
