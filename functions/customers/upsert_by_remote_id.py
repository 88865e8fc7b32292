"""PUT /customers/by-remote-id/{remoteId} — create or update by the integration's id (201 / 200, no If-Match)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from clientele.api import http
from clientele.api.auth import UPSERTERS
from clientele.api.schemas.customers import Customer
from clientele.domain.remote_ids import UpsertFields
from clientele.services.customers import upserts

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.put("/customers/by-remote-id/<remoteId>", tags=["customers", "integrations"],
         summary="Create or update the customer with this remote (integration) id")
def upsert_customer_by_remote_id(remoteId: str, body: Annotated[UpsertFields, Body()]) -> Response[Customer]:
    saved, created = upserts.upsert(http.principal().org, remoteId, body)
    location = f"/customers/{saved.body['id']}" if created else None
    return http.json_response(saved.body, 201 if created else 200, version=saved.version, location=location)


lambda_handler = http.entrypoint(app, UPSERTERS)
