"""DELETE /{list}/{id} for the five taxonomy lists (If-Match; a customer type in use is 409 in_use)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.etags import required_version
from clientele.domain.taxonomies import Kind
from clientele.services import taxonomies

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


def _deleted(kind: Kind, entry_id: str, if_match: str | None) -> Response[None]:
    taxonomies.delete(http.principal().org, kind, entry_id, required_version(if_match))
    return http.no_content()


@app.delete("/customer-types/<customerTypeId>", tags=["taxonomies"], summary="Delete an unused customer type")
def delete_customer_type(
    customerTypeId: str, if_match: Annotated[str | None, Header(alias="if-match")] = None
) -> Response[None]:
    return _deleted("type", customerTypeId, if_match)


@app.delete("/customer-segments/<customerSegmentId>", tags=["taxonomies"], summary="Delete a segment")
def delete_customer_segment(
    customerSegmentId: str, if_match: Annotated[str | None, Header(alias="if-match")] = None
) -> Response[None]:
    return _deleted("segment", customerSegmentId, if_match)


@app.delete("/brokers/<brokerId>", tags=["taxonomies"], summary="Delete a broker")
def delete_broker(
    brokerId: str, if_match: Annotated[str | None, Header(alias="if-match")] = None
) -> Response[None]:
    return _deleted("broker", brokerId, if_match)


@app.delete("/customer-categories/<customerCategoryId>", tags=["taxonomies"], summary="Delete a category")
def delete_customer_category(
    customerCategoryId: str, if_match: Annotated[str | None, Header(alias="if-match")] = None
) -> Response[None]:
    return _deleted("category", customerCategoryId, if_match)


@app.delete("/payment-terms/<paymentTermsId>", tags=["taxonomies"], summary="Delete payment terms")
def delete_payment_terms(
    paymentTermsId: str, if_match: Annotated[str | None, Header(alias="if-match")] = None
) -> Response[None]:
    return _deleted("terms", paymentTermsId, if_match)


lambda_handler = http.entrypoint(app, ADMINS)
