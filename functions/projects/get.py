"""GET /customers/{customerId}/projects/{projectId} — one project with its rollups."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.projects import Project
from clientele.services import projects

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customers/<customerId>/projects/<projectId>", tags=["projects"], summary="Read a project")
def get_project(customerId: str, projectId: str) -> Response[Project]:
    found = projects.get(http.principal().org, customerId, projectId)
    return http.json_response(found.body, version=found.version)


lambda_handler = http.entrypoint(app, READERS)
