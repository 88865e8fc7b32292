"""POST /imports — a CSV inline (text/csv, ≤ 4 MB → 202) or {"filename"} for a pre-signed upload (201)."""

import base64
import hashlib
import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError

from clientele.api import http, idempotency
from clientele.api.auth import WRITERS
from clientele.errors import FieldError, ValidationFailed
from clientele.services.imports import start as imports

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Bounded as sent (the length the document states), then trimmed: blank is refused by the pattern.
    filename: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"\S"), AfterValidator(str.strip)]


class ImportStarted(BaseModel):
    id: str
    status: str
    uploadUrl: str | None = None


def _upload_request(text: str) -> UploadRequest:
    try:
        return UploadRequest.model_validate(json.loads(text or "{}"))
    except json.JSONDecodeError as exc:
        raise ValidationFailed.of("body", "The body is not valid JSON.") from exc
    except ValidationError as exc:
        raise ValidationFailed([FieldError(".".join(str(p) for p in error["loc"]) or "body",
                                           "This field is required." if error["type"] == "missing" else error["msg"])
                                for error in exc.errors()]) from exc


@app.post("/imports", tags=["imports"], summary="Import customers from a CSV file (inline text/csv or an upload URL)")
def create_import(
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[ImportStarted]:
    org = http.principal().org
    event = app.current_event
    text = event.body or ""
    raw = base64.b64decode(text) if event.is_base64_encoded else text.encode()
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "text/csv":
        def produce() -> dict[str, Any]:
            return {"status": 202, "body": imports.start_inline(org, raw)}

        fingerprint: Any = {"csv": hashlib.sha256(raw).hexdigest()}
    else:
        request = _upload_request(raw.decode("utf-8", errors="replace"))

        def produce() -> dict[str, Any]:
            return {"status": 201, "body": imports.start_upload(org, request.filename)}

        fingerprint = request.model_dump()
    result = idempotency.once(org, "imports.create", idempotency_key, fingerprint, produce)
    body = result["body"]
    return http.json_response(body, int(result["status"]), location=f"/imports/{body['id']}")


lambda_handler = http.entrypoint(app, WRITERS, media_types=(http.JSON, "text/csv"))
