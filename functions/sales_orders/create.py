"""POST /sales-orders — create a numbered order for a live customer (201, Location, ETag; Idempotency-Key);
it copies the customer's currency and payment terms. Created confirmed over the customer's credit limit:
409 credit_limit_exceeded unless an admin sends overrideCreditLimit: true."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http, idempotency
from clientele.api.auth import WRITERS
from clientele.api.schemas.sales_orders import SalesOrder
from clientele.domain.sales_orders import SalesOrderCreate
from clientele.services import sales_orders

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/sales-orders", status_code=201, tags=["sales orders"], summary="Create a sales order")
def create_sales_order(
    body: Annotated[SalesOrderCreate, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[SalesOrder]:
    return idempotency.created("sales-orders.create", idempotency_key, body.model_dump(mode="json"),
                               lambda org: sales_orders.create(org, body, http.principal()).body,
                               lambda created: f"/sales-orders/{created['id']}")


lambda_handler = http.entrypoint(app, WRITERS)
