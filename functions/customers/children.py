"""GET /customers/{customerId}/children — live children, from the stream-maintained index (one Query)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.customers import CustomerPage
from clientele.services import children

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customers/<customerId>/children", tags=["customers"], summary="List a customer's live children")
def list_children(
    customerId: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[CustomerPage]:
    return http.json_response(children.children_page(http.principal().org, customerId, limit, cursor))


lambda_handler = http.entrypoint(app, READERS)
