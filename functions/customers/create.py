"""POST /customers — create a customer (201, Location, ETag; Idempotency-Key honoured)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http, idempotency
from clientele.api.auth import WRITERS
from clientele.api.schemas.customers import Customer
from clientele.domain.customers import CustomerFields
from clientele.services.customers import operations as customers

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/customers", status_code=201, tags=["customers"], summary="Create a customer")
def create_customer(
    body: Annotated[CustomerFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[Customer]:
    return idempotency.created("customers.create", idempotency_key, body.model_dump(mode="json"),
                               lambda org: customers.create(org, body).body,
                               lambda created: f"/customers/{created['id']}")


lambda_handler = http.entrypoint(app, WRITERS)
