"""GET /customers/{customerId}/projects — the customer's projects by name, one Query per page."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.projects import ProjectPage
from clientele.services import projects

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/customers/<customerId>/projects", tags=["projects"], summary="List a customer's projects")
def list_projects(
    customerId: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[ProjectPage]:
    return http.json_response(projects.list_page(http.principal().org, customerId, limit, cursor))


lambda_handler = http.entrypoint(app, READERS)
