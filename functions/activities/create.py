"""POST /customers/{customerId}/activities — add a note, call, email, meeting or task."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http, idempotency
from clientele.api.auth import WRITERS
from clientele.api.schemas.activities import Activity
from clientele.domain.activities import ActivityFields
from clientele.services import activities

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/customers/<customerId>/activities", tags=["activities"], summary="Add an activity to a customer")
def create_activity(
    customerId: str,
    body: Annotated[ActivityFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[Activity]:
    return idempotency.created(
        "activities.create", idempotency_key, {"customerId": customerId, "body": body.model_dump(mode="json")},
        lambda org: activities.create(org, customerId, body).body,
        lambda created: f"/customers/{customerId}/activities/{created['id']}")


lambda_handler = http.entrypoint(app, WRITERS)
