"""DELETE /customers/{customerId}/activities/{activityId} — remove an activity (If-Match)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.services import activities

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.delete("/customers/<customerId>/activities/<activityId>", tags=["activities"], summary="Delete an activity")
def delete_activity(
    customerId: str,
    activityId: str,
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[None]:
    activities.delete(http.principal().org, customerId, activityId, required_version(if_match))
    return http.no_content()


lambda_handler = http.entrypoint(app, WRITERS)
