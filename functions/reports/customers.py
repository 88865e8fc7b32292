"""GET /reports/customers?groupBy=… — live customers per type, segment, category, payment terms, state or priority."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.reports import CustomerReport
from clientele.services import reports

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)

GroupBy = Literal["customerType", "customerSegment", "customerCategory", "paymentTerms", "accountState",
                  "accountPriority"]


@app.get("/reports/customers", tags=["reports"], summary="Count live customers per group")
def customer_report(groupBy: Annotated[GroupBy, Query()]) -> Response[CustomerReport]:
    return http.json_response(reports.customer_report(http.principal().org, groupBy))


lambda_handler = http.entrypoint(app, READERS)
