"""GET /webhooks/{webhookId} — one webhook subscription (admin; never its secret)."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.schemas.webhooks import Webhook
from clientele.services.webhooks import subscriptions

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/webhooks/<webhookId>", tags=["webhooks"], summary="Read a webhook subscription")
def get_webhook(webhookId: str) -> Response[Webhook]:
    found = subscriptions.get(http.principal().org, webhookId)
    return http.json_response(found.body, version=found.version)


lambda_handler = http.entrypoint(app, ADMINS)
