"""POST /webhooks — subscribe a URL to events (admin); 201 with the signing secret, shown only now."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http, idempotency
from clientele.api.auth import ADMINS
from clientele.api.schemas.webhooks import WebhookWithSecret
from clientele.domain.webhooks import WebhookCreate
from clientele.services.webhooks import subscriptions

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/webhooks", tags=["webhooks"], summary="Create a webhook subscription",
          description="The answer's `secret` signs every delivery (`Clientele-Signature`); it is shown only here "
                      "and by `rotate-secret`. At most 20 webhooks per organisation.")
def create_webhook(
    body: Annotated[WebhookCreate, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[WebhookWithSecret]:
    return idempotency.created("webhooks.create", idempotency_key, body.model_dump(mode="json"),
                               lambda org: subscriptions.create(org, body),
                               lambda created: f"/webhooks/{created['id']}", shown=subscriptions.reveal)


lambda_handler = http.entrypoint(app, ADMINS)
