"""PUT /customers/{customerId} — replace the whole document (omitted fields take defaults)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.api.schemas.customers import Customer
from clientele.domain.customers import CustomerFields
from clientele.services.customers import operations as customers

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.put("/customers/<customerId>", tags=["customers"], summary="Replace a customer document")
def replace_customer(
    customerId: str,
    body: Annotated[CustomerFields, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[Customer]:
    saved = customers.change(http.principal().org, customerId, body, required_version(if_match), whole=True)
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, WRITERS)
