"""GET /customers — customers by display name, filtered, one Query per page."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.customers import CustomerPage
from clientele.domain.customers import AccountPriority, AccountState
from clientele.services.customers import listing as customers

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)

IdFilter = Annotated[str | None, Query(max_length=64)]


@app.get("/customers", tags=["customers"], summary="List customers")
def list_customers(
    customerTypeId: IdFilter = None,
    customerSegmentId: IdFilter = None,
    customerCategoryId: IdFilter = None,
    brokerId: IdFilter = None,
    paymentTermsId: IdFilter = None,
    parentCustomerId: IdFilter = None,
    accountState: Annotated[AccountState | None, Query()] = None,
    accountPriority: Annotated[AccountPriority | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=255)] = None,
    includeDeleted: Annotated[bool, Query()] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[CustomerPage]:
    filters = {
        "customerTypeId": customerTypeId, "customerSegmentId": customerSegmentId,
        "customerCategoryId": customerCategoryId, "brokerId": brokerId, "parentCustomerId": parentCustomerId,
        "accountState": accountState, "accountPriority": accountPriority, "paymentTermsId": paymentTermsId,
    }
    page = customers.list_page(http.principal().org, filters, q, includeDeleted, limit, cursor)
    return http.json_response(page)


lambda_handler = http.entrypoint(app, READERS)
