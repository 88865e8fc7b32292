"""GET /customers/match?phone=&email= — live customers with that phone (normalised) or email."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.customers import CustomerMatches
from clientele.services import matching

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customers/match", tags=["customers"], summary="Find customers by phone or email")
def match_customers(
    phone: Annotated[str | None, Query(max_length=64)] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
) -> Response[CustomerMatches]:
    return http.json_response(matching.match(http.principal().org, phone, email))


lambda_handler = http.entrypoint(app, READERS)
