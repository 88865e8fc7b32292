"""GET /webhooks — the organisation's webhook subscriptions (at most 20), oldest first (admin)."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.schemas.webhooks import WebhookList
from clientele.services.webhooks import subscriptions

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/webhooks", tags=["webhooks"], summary="List webhook subscriptions")
def list_webhooks() -> Response[WebhookList]:
    return http.json_response(subscriptions.list_all(http.principal().org))


lambda_handler = http.entrypoint(app, ADMINS)
