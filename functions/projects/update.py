"""PATCH /customers/{customerId}/projects/{projectId} — change some fields of a project (If-Match)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http
from clientele.api.auth import WRITERS
from clientele.api.etags import required_version
from clientele.api.schemas.projects import Project
from clientele.domain.projects import ProjectFields
from clientele.services import projects

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.patch("/customers/<customerId>/projects/<projectId>", tags=["projects"], summary="Change a project")
def update_project(
    customerId: str,
    projectId: str,
    body: Annotated[ProjectFields, Body()],
    if_match: Annotated[str | None, Header(alias="if-match")] = None,
) -> Response[Project]:
    saved = projects.update(http.principal().org, customerId, projectId, body, required_version(if_match))
    return http.json_response(saved.body, version=saved.version)


lambda_handler = http.entrypoint(app, WRITERS)
