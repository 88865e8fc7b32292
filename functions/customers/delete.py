"""DELETE /customers/{customerId} — soft delete (409 has_children while live children exist)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.services.customers import operations as customers

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.delete("/customers/<customerId>", status_code=204, tags=["customers"], summary="Soft-delete a customer")
def delete_customer(
    customerId: str,
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[None]:
    customers.delete(http.principal().org, customerId, required_version(if_match))
    return http.no_content()


lambda_handler = http.entrypoint(app, WRITERS)
