"""GET /{list}/{id} for the five taxonomy lists — one entry (200, ETag)."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.taxonomies import BrokerEntry, CustomerTypeEntry, PaymentTermsEntry, TaxonomyEntry
from clientele.domain.taxonomies import Kind
from clientele.services import taxonomies

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


def _found(kind: Kind, entry_id: str) -> Response[Any]:
    found = taxonomies.get(http.principal().org, kind, entry_id)
    return http.json_response(found.body, version=found.version)


@app.get("/customer-types/<customerTypeId>", tags=["taxonomies"], summary="Read a customer type")
def get_customer_type(customerTypeId: str) -> Response[CustomerTypeEntry]:
    return _found("type", customerTypeId)


@app.get("/customer-segments/<customerSegmentId>", tags=["taxonomies"], summary="Read a customer segment")
def get_customer_segment(customerSegmentId: str) -> Response[TaxonomyEntry]:
    return _found("segment", customerSegmentId)


@app.get("/brokers/<brokerId>", tags=["taxonomies"], summary="Read a broker")
def get_broker(brokerId: str) -> Response[BrokerEntry]:
    return _found("broker", brokerId)


@app.get("/customer-categories/<customerCategoryId>", tags=["taxonomies"], summary="Read a customer category")
def get_customer_category(customerCategoryId: str) -> Response[TaxonomyEntry]:
    return _found("category", customerCategoryId)


@app.get("/payment-terms/<paymentTermsId>", tags=["taxonomies"], summary="Read payment terms")
def get_payment_terms(paymentTermsId: str) -> Response[PaymentTermsEntry]:
    return _found("terms", paymentTermsId)


lambda_handler = http.entrypoint(app, READERS)
