"""GET /customers/{customerId} — one customer (soft-deleted ones too)."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.customers import Customer
from clientele.services.customers import operations as customers

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customers/<customerId>", tags=["customers"], summary="Read a customer")
def get_customer(customerId: str) -> Response[Customer]:
    found = customers.get(http.principal().org, customerId)
    return http.json_response(found.body, version=found.version)


lambda_handler = http.entrypoint(app, READERS)
