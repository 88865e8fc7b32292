"""GET /changes — what changed since the cursor (customers, contacts, sales orders), oldest first; follow
``nextCursor`` (always present) to miss no change. Kept 30 days; an older cursor answers 410."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clientele.api import http
from clientele.api.auth import READERS
from clientele.api.schemas.webhooks import ChangePage
from clientele.domain.changes import TYPES_PATTERN
from clientele.services import changes

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.get("/changes", tags=["changes"], summary="Read the changes feed",
         description="Entries appear a few seconds after the change (the settle window that lets no entry "
                     "written late by a parallel stream shard be skipped). `types`: a comma-separated subset of "
                     "customer, contact, sales_order.")
def list_changes(
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
    types: Annotated[str | None, Query(max_length=64, pattern=TYPES_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Response[ChangePage]:
    return http.json_response(changes.page(http.principal().org, cursor, types, limit))


lambda_handler = http.entrypoint(app, READERS)
