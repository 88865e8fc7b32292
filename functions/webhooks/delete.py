"""DELETE /webhooks/{webhookId} — remove a subscription (If-Match); nothing more is delivered to it."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.etags import required_version
from clientele.services.webhooks import subscriptions

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.delete("/webhooks/<webhookId>", tags=["webhooks"], summary="Delete a webhook subscription")
def delete_webhook(
    webhookId: str,
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[None]:
    subscriptions.delete(http.principal().org, webhookId, required_version(if_match))
    return http.no_content()


lambda_handler = http.entrypoint(app, ADMINS)
