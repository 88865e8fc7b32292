"""GET /imports/{importId} — an import's status, counters and row errors."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.services.imports import status as imports

app = APIGatewayHttpResolver(enable_validation=True)
http.install(app)


@app.get("/imports/<importId>", tags=["imports"], summary="Read an import's progress and row errors")
def get_import(importId: str) -> Response[dict[str, Any]]:
    return http.json_response(imports.get(http.principal().org, importId))


lambda_handler = http.entrypoint(app, READERS)
