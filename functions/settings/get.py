"""GET /settings — the organisation's settings (200, ETag)."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.settings import Settings
from clientele.services import settings

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/settings", tags=["settings"], summary="Read the organisation's settings")
def get_settings() -> Response[Settings]:
    found = settings.get(http.principal().org)
    return http.json_response(found.body, version=found.version)


lambda_handler = http.entrypoint(app, READERS)
