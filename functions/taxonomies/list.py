"""GET /customer-types, /customer-segments, /brokers, /customer-categories, /payment-terms — a list by sortOrder."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.taxonomies import BrokerList, CustomerTypeList, PaymentTermsList, TaxonomyList
from clientele.services import taxonomies

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customer-types", tags=["taxonomies"], summary="List customer types")
def list_customer_types() -> Response[CustomerTypeList]:
    return http.json_response(taxonomies.list_entries(http.principal().org, "type"))


@app.get("/customer-segments", tags=["taxonomies"], summary="List customer segments")
def list_customer_segments() -> Response[TaxonomyList]:
    return http.json_response(taxonomies.list_entries(http.principal().org, "segment"))


@app.get("/brokers", tags=["taxonomies"], summary="List brokers")
def list_brokers() -> Response[BrokerList]:
    return http.json_response(taxonomies.list_entries(http.principal().org, "broker"))


@app.get("/customer-categories", tags=["taxonomies"], summary="List customer categories")
def list_customer_categories() -> Response[TaxonomyList]:
    return http.json_response(taxonomies.list_entries(http.principal().org, "category"))


@app.get("/payment-terms", tags=["taxonomies"], summary="List payment terms")
def list_payment_terms() -> Response[PaymentTermsList]:
    return http.json_response(taxonomies.list_entries(http.principal().org, "terms"))


lambda_handler = http.entrypoint(app, READERS)
