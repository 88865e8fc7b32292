"""POST /webhooks/{webhookId}/ping — deliver a signed ``ping`` event now and answer with its delivery
(one attempt, no retries; also while the webhook is switched off)."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.schemas.webhooks import WebhookDelivery
from clientele.services.webhooks import deliveries

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/webhooks/<webhookId>/ping", tags=["webhooks"], summary="Send a test event to a webhook")
def ping_webhook(webhookId: str) -> Response[WebhookDelivery]:
    return http.json_response(deliveries.ping(http.principal().org, webhookId))


lambda_handler = http.entrypoint(app, ADMINS)
