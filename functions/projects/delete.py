"""DELETE /customers/{customerId}/projects/{projectId} — delete a project (409 in_use while orders use it)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.services import projects

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.delete("/customers/<customerId>/projects/<projectId>", tags=["projects"], summary="Delete a project")
def delete_project(
    customerId: str,
    projectId: str,
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[None]:
    projects.delete(http.principal().org, customerId, projectId, required_version(if_match))
    return http.no_content()


lambda_handler = http.entrypoint(app, WRITERS)
