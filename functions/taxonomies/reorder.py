"""PUT /{list}/order for the five taxonomy lists — renumber 0..n-1 atomically (no If-Match)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.schemas.taxonomies import BrokerList, CustomerTypeList, PaymentTermsList, TaxonomyList
from clientele.domain.taxonomies import Kind
from clientele.domain.taxonomy_models import NewOrder
from clientele.services import taxonomies

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


def _reordered(kind: Kind, body: NewOrder) -> Response[Any]:
    return http.json_response(taxonomies.reorder(http.principal().org, kind, body.ids))


@app.put("/customer-types/order", tags=["taxonomies"], summary="Reorder the customer types")
def reorder_customer_types(body: Annotated[NewOrder, Body()]) -> Response[CustomerTypeList]:
    return _reordered("type", body)


@app.put("/customer-segments/order", tags=["taxonomies"], summary="Reorder the customer segments")
def reorder_customer_segments(body: Annotated[NewOrder, Body()]) -> Response[TaxonomyList]:
    return _reordered("segment", body)


@app.put("/brokers/order", tags=["taxonomies"], summary="Reorder the brokers")
def reorder_brokers(body: Annotated[NewOrder, Body()]) -> Response[BrokerList]:
    return _reordered("broker", body)


@app.put("/customer-categories/order", tags=["taxonomies"], summary="Reorder the customer categories")
def reorder_customer_categories(body: Annotated[NewOrder, Body()]) -> Response[TaxonomyList]:
    return _reordered("category", body)


@app.put("/payment-terms/order", tags=["taxonomies"], summary="Reorder the payment terms")
def reorder_payment_terms(body: Annotated[NewOrder, Body()]) -> Response[PaymentTermsList]:
    return _reordered("terms", body)


lambda_handler = http.entrypoint(app, ADMINS)
