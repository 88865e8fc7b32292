"""GET /address-book/{entryId} — one address-book entry."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.address_book import AddressEntry
from clientele.services import address_book

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/address-book/<entryId>", tags=["address-book"], summary="Read an address-book entry")
def get_address_entry(entryId: str) -> Response[AddressEntry]:
    found = address_book.get(http.principal().org, entryId)
    return http.json_response(found.body, version=found.version)


lambda_handler = http.entrypoint(app, READERS)
