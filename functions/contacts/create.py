"""POST /customers/{customerId}/contacts — add a contact (bumps the customer's version)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http, idempotency
from clientele.api.auth import WRITERS
from clientele.api.schemas.customers import Contact
from clientele.domain.contacts import ContactFields
from clientele.services import contacts

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/customers/<customerId>/contacts", tags=["contacts"], summary="Add a contact to a customer")
def create_contact(
    customerId: str,
    body: Annotated[ContactFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[Contact]:
    return idempotency.created(
        "contacts.create", idempotency_key, {"customerId": customerId, "body": body.model_dump(mode="json")},
        lambda org: contacts.create(org, customerId, body).body,
        lambda created: f"/customers/{customerId}/contacts/{created['id']}")


lambda_handler = http.entrypoint(app, WRITERS)
