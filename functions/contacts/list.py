"""GET /customers/{customerId}/contacts — the customer's contacts (at most 50: one page)."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.customers import ContactList
from clientele.services import contacts

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customers/<customerId>/contacts", tags=["contacts"], summary="List a customer's contacts")
def list_contacts(customerId: str) -> Response[ContactList]:
    return http.json_response(contacts.list_contacts(http.principal().org, customerId))


lambda_handler = http.entrypoint(app, READERS)
