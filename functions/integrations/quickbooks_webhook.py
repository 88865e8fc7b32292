"""POST /integrations/quickbooks/webhook — Intuit's change notifications (public; signed with HMAC)."""

import base64

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.services import quickbooks_webhook

app = APIGatewayHttpResolver(enable_validation=True)
http.install(app)


@app.post("/integrations/quickbooks/webhook", tags=["integrations"],
          summary="QuickBooks Online webhook (verified by its intuit-signature header)")
def quickbooks_webhook_notification() -> Response[dict[str, str]]:
    event = app.current_event
    text = event.body or ""
    body = base64.b64decode(text) if event.is_base64_encoded else text.encode()
    quickbooks_webhook.handle(body, event.headers.get("intuit-signature"))
    # The same answer whether or not the realm is known: the webhook does not reveal which exist.
    return http.json_response({"status": "accepted"})


lambda_handler = http.public_entrypoint(app)
