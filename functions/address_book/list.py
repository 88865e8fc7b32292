"""GET /address-book — the organisation's address book by label, one Query per page."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.address_book import AddressEntryPage
from clientele.services import address_book

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/address-book", tags=["address-book"], summary="List the address book")
def list_address_entries(
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[AddressEntryPage]:
    return http.json_response(address_book.list_page(http.principal().org, limit, cursor))


lambda_handler = http.entrypoint(app, READERS)
