"""GET /webhooks/{webhookId}/deliveries — the subscription's deliveries of the last 30 days, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.schemas.webhooks import WebhookDeliveryPage
from clientele.domain.webhooks import DeliveryStatus
from clientele.services.webhooks import deliveries

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/webhooks/<webhookId>/deliveries", tags=["webhooks"], summary="List a webhook's deliveries")
def list_webhook_deliveries(
    webhookId: str,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[WebhookDeliveryPage]:
    return http.json_response(deliveries.list_page(http.principal().org, webhookId, status, limit, cursor))


lambda_handler = http.entrypoint(app, ADMINS)
