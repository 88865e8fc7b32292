"""POST /address-book — add an org-wide address entry."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http, idempotency
from clientele.api.auth import WRITERS
from clientele.api.schemas.address_book import AddressEntry
from clientele.domain.address_book import AddressEntryFields
from clientele.services import address_book

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/address-book", tags=["address-book"], summary="Add an address-book entry")
def create_address_entry(
    body: Annotated[AddressEntryFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[AddressEntry]:
    return idempotency.created("address_book.create", idempotency_key, body.model_dump(mode="json"),
                               lambda org: address_book.create(org, body).body,
                               lambda created: f"/address-book/{created['id']}")


lambda_handler = http.entrypoint(app, WRITERS)
