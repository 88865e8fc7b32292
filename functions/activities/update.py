"""PATCH /customers/{customerId}/activities/{activityId} — change some fields (done stamps completedAt)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.api.schemas.activities import Activity
from clientele.domain.activities import ActivityFields
from clientele.services import activities

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.patch("/customers/<customerId>/activities/<activityId>", tags=["activities"], summary="Change an activity")
def update_activity(
    customerId: str,
    activityId: str,
    body: Annotated[ActivityFields, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[Activity]:
    saved = activities.update(http.principal().org, customerId, activityId, body, required_version(if_match))
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, WRITERS)
