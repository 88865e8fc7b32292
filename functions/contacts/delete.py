"""DELETE /customers/{customerId}/contacts/{contactId} — remove a contact (If-Match: the contact's)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.services import contacts

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.delete("/customers/<customerId>/contacts/<contactId>", tags=["contacts"], summary="Delete a contact")
def delete_contact(
    customerId: str,
    contactId: str,
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[None]:
    contacts.delete(http.principal().org, customerId, contactId, required_version(if_match))
    return http.no_content()


lambda_handler = http.entrypoint(app, WRITERS)
