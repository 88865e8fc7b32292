"""GET /sales-orders/{orderId} — one sales order (also of a deleted customer)."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.sales_orders import SalesOrder
from clientele.services import sales_orders

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/sales-orders/<orderId>", tags=["sales orders"], summary="Read a sales order")
def get_sales_order(orderId: str) -> Response[SalesOrder]:
    found = sales_orders.get(http.principal().org, orderId)
    return http.json_response(found.body, version=found.version)


lambda_handler = http.entrypoint(app, READERS)
