"""PATCH /sales-orders/{orderId} — move the status, or change lines/broker while a draft (If-Match). Confirming
over the customer's credit limit is 409 credit_limit_exceeded unless an admin sends overrideCreditLimit: true."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.api.schemas.sales_orders import SalesOrder
from clientele.domain.sales_orders import SalesOrderPatch
from clientele.services import sales_orders

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.patch("/sales-orders/<orderId>", tags=["sales orders"], summary="Change a sales order")
def update_sales_order(
    orderId: str,
    body: Annotated[SalesOrderPatch, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[SalesOrder]:
    principal = http.principal()
    saved = sales_orders.change(principal.org, orderId, body, required_version(if_match), principal)
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, WRITERS)
