"""POST /webhooks/{webhookId}/deliveries/{deliveryId}/redeliver — send a delivery's event again (202), with
the whole retry schedule ahead of it."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.schemas.webhooks import WebhookDelivery
from clientele.services.webhooks import deliveries

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/webhooks/<webhookId>/deliveries/<deliveryId>/redeliver", tags=["webhooks"],
          summary="Redeliver a webhook delivery")
def redeliver_webhook_delivery(webhookId: str, deliveryId: str) -> Response[WebhookDelivery]:
    return http.json_response(deliveries.redeliver(http.principal().org, webhookId, deliveryId), 202)


lambda_handler = http.entrypoint(app, ADMINS)
