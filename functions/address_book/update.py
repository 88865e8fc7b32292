"""PATCH /address-book/{entryId} — change some fields of an entry (If-Match)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.api.schemas.address_book import AddressEntry
from clientele.domain.address_book import AddressEntryFields
from clientele.services import address_book

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.patch("/address-book/<entryId>", tags=["address-book"], summary="Change an address-book entry")
def update_address_entry(
    entryId: str,
    body: Annotated[AddressEntryFields, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[AddressEntry]:
    saved = address_book.update(http.principal().org, entryId, body, required_version(if_match))
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, WRITERS)
