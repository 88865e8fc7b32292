"""GET /openapi.json — the committed OpenAPI document (generated from the handlers by
`make openapi`; a contract test fails when it drifts from the code)."""

from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http

app = APIGatewayHttpResolver()
http.install(app)

_DOCUMENT = Path(__file__).with_name("openapi.json")


@cache
def _document() -> str:
    return _DOCUMENT.read_text(encoding="utf-8")


@app.get("/openapi.json", include_in_schema=False, tags=["meta"], summary="This OpenAPI document",
         responses={200: {"description": "The OpenAPI 3.1 document",
                          "content": {"application/json": {"schema": {"type": "object"}}}}})
def openapi_document() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=_document())


lambda_handler = http.public_entrypoint(app)
