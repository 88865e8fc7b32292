"""GET /tasks — the org's tasks of one status, earliest due date first (a sparse index, one Query per page)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.activities import ActivityPage
from clientele.domain.activities import TaskStatus
from clientele.services import activities

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/tasks", tags=["activities"], summary="List the organisation's tasks by due date")
def list_tasks(
    status: Annotated[TaskStatus, Query()] = "open",
    dueBefore: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[ActivityPage]:
    return http.json_response(activities.tasks(http.principal().org, status, dueBefore, limit, cursor))


lambda_handler = http.entrypoint(app, READERS)
