"""POST /webhooks/{webhookId}/rotate-secret — a new signing secret (shown only in this answer); the old one
keeps signing beside it for 24 h, so receivers can switch without missing a delivery."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.schemas.webhooks import WebhookWithSecret
from clientele.services.webhooks import subscriptions

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/webhooks/<webhookId>/rotate-secret", tags=["webhooks"], summary="Rotate a webhook's signing secret")
def rotate_webhook_secret(webhookId: str) -> Response[WebhookWithSecret]:
    saved = subscriptions.rotate(http.principal().org, webhookId)
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, ADMINS)
