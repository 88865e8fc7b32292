"""PATCH /{list}/{id} for the five taxonomy lists — change the fields sent (If-Match required)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.etags import required_version
from clientele.api.schemas.taxonomies import BrokerEntry, CustomerTypeEntry, PaymentTermsEntry, TaxonomyEntry
from clientele.domain.taxonomies import Kind
from clientele.domain.taxonomy_models import (
    BrokerChanges,
    CustomerTypeChanges,
    EntryChanges,
    PaymentTermsChanges,
    TaxonomyFields,
)
from clientele.services import taxonomies

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


def _updated(kind: Kind, entry_id: str, body: TaxonomyFields,
             if_match: str | None) -> Response[Any]:
    version = required_version(if_match)
    saved = taxonomies.update(http.principal().org, kind, entry_id, body.provided(), version)
    return http.json_response(saved.body, version=saved.version)


@app.patch("/customer-types/<customerTypeId>", tags=["taxonomies"], summary="Change a customer type")
def update_customer_type(
    customerTypeId: str,
    body: Annotated[CustomerTypeChanges, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[CustomerTypeEntry]:
    return _updated("type", customerTypeId, body, if_match)


@app.patch("/customer-segments/<customerSegmentId>", tags=["taxonomies"], summary="Change a segment")
def update_customer_segment(
    customerSegmentId: str,
    body: Annotated[EntryChanges, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[TaxonomyEntry]:
    return _updated("segment", customerSegmentId, body, if_match)


@app.patch("/brokers/<brokerId>", tags=["taxonomies"], summary="Change a broker")
def update_broker(
    brokerId: str,
    body: Annotated[BrokerChanges, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[BrokerEntry]:
    return _updated("broker", brokerId, body, if_match)


@app.patch("/customer-categories/<customerCategoryId>", tags=["taxonomies"], summary="Change a category")
def update_customer_category(
    customerCategoryId: str,
    body: Annotated[EntryChanges, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[TaxonomyEntry]:
    return _updated("category", customerCategoryId, body, if_match)


@app.patch("/payment-terms/<paymentTermsId>", tags=["taxonomies"], summary="Change payment terms")
def update_payment_terms(
    paymentTermsId: str,
    body: Annotated[PaymentTermsChanges, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[PaymentTermsEntry]:
    return _updated("terms", paymentTermsId, body, if_match)


lambda_handler = http.entrypoint(app, ADMINS)
