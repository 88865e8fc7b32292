"""DELETE /address-book/{entryId} — delete an entry (409 in_use while a contact uses it)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.services import address_book

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.delete("/address-book/<entryId>", tags=["address-book"], summary="Delete an address-book entry")
def delete_address_entry(
    entryId: str,
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[None]:
    address_book.delete(http.principal().org, entryId, required_version(if_match))
    return http.no_content()


lambda_handler = http.entrypoint(app, WRITERS)
