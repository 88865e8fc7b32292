"""POST /customers/{customerId}/projects — start a project for a customer."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http, idempotency
from clientele.api.auth import WRITERS
from clientele.api.schemas.projects import Project
from clientele.domain.projects import ProjectFields
from clientele.services import projects

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/customers/<customerId>/projects", tags=["projects"], summary="Create a project for a customer")
def create_project(
    customerId: str,
    body: Annotated[ProjectFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[Project]:
    return idempotency.created(
        "projects.create", idempotency_key, {"customerId": customerId, "body": body.model_dump(mode="json")},
        lambda org: projects.create(org, customerId, body).body,
        lambda created: f"/customers/{customerId}/projects/{created['id']}")


lambda_handler = http.entrypoint(app, WRITERS)
