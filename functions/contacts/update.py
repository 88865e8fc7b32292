"""PATCH /customers/{customerId}/contacts/{contactId} — change some fields (If-Match: the contact's)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.api.schemas.customers import Contact
from clientele.domain.contacts import ContactFields
from clientele.services import contacts

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.patch("/customers/<customerId>/contacts/<contactId>", tags=["contacts"], summary="Change a contact")
def update_contact(
    customerId: str,
    contactId: str,
    body: Annotated[ContactFields, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[Contact]:
    saved = contacts.update(http.principal().org, customerId, contactId, body, required_version(if_match))
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, WRITERS)
