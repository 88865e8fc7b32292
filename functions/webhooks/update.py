"""PATCH /webhooks/{webhookId} — change a subscription's url, events, description or isActive (If-Match)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.etags import required_version
from clientele.api.schemas.webhooks import Webhook
from clientele.domain.webhooks import WebhookFields
from clientele.services.webhooks import subscriptions

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.patch("/webhooks/<webhookId>", tags=["webhooks"], summary="Change a webhook subscription",
           description="Setting `isActive` to true again clears `disabledReason` and the run of failed deliveries.")
def update_webhook(
    webhookId: str,
    body: Annotated[WebhookFields, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[Webhook]:
    saved = subscriptions.update(http.principal().org, webhookId, body, required_version(if_match))
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, ADMINS)
