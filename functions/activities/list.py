"""GET /customers/{customerId}/activities — the customer's timeline, newest first, one Query per page."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.activities import ActivityPage
from clientele.domain.activities import ActivityType
from clientele.services import activities

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customers/<customerId>/activities", tags=["activities"], summary="List a customer's activities")
def list_activities(
    customerId: str,
    type: Annotated[ActivityType | None, Query()] = None,
    customerProjectId: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[ActivityPage]:
    page = activities.timeline(http.principal().org, customerId, type, customerProjectId, limit, cursor)
    return http.json_response(page)


lambda_handler = http.entrypoint(app, READERS)
