"""PUT /settings — replace the whole settings document (If-Match; omitted fields take defaults)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.etags import required_version
from clientele.api.schemas.settings import Settings
from clientele.domain.settings_models import SettingsDocument
from clientele.services import settings

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.put("/settings", tags=["settings"], summary="Replace the organisation's settings")
def replace_settings(
    body: Annotated[SettingsDocument, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[Settings]:
    saved = settings.replace(http.principal().org, body, required_version(if_match))
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, ADMINS)
