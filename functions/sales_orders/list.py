"""GET /customers/{customerId}/sales-orders — a customer's orders, newest first (one Query per page)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.sales_orders import SalesOrderPage
from clientele.domain.sales_orders import OrderStatus
from clientele.services import sales_orders

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customers/<customerId>/sales-orders", tags=["sales orders"], summary="List a customer's sales orders")
def list_sales_orders(
    customerId: str,
    status: Annotated[OrderStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[SalesOrderPage]:
    page = sales_orders.list_for_customer(http.principal().org, customerId, status, limit, cursor)
    return http.json_response(page)


lambda_handler = http.entrypoint(app, READERS)
