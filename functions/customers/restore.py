"""POST /customers/{customerId}/restore — undo a soft delete (409 while the parent is deleted)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.api.schemas.customers import Customer
from clientele.services.customers import operations as customers

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/customers/<customerId>/restore", tags=["customers"], summary="Restore a deleted customer")
def restore_customer(
    customerId: str,
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[Customer]:
    saved = customers.restore(http.principal().org, customerId, required_version(if_match))
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, WRITERS)
