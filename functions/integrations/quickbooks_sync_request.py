"""POST /integrations/quickbooks/sync — ask for a QuickBooks sync now (202; optional ``{"full": true}``).

Puts one ``QuickBooksSyncRequested {org, realmId, full}`` on the bus for the sync job, as the schedule
does; ``Location`` is the progress to poll. A trigger, not a create: no Idempotency-Key. A duplicate
is harmless: a request that arrives while a run holds the org's lease is dropped by the job (outcome
``locked``, nothing fetched), and one that arrives after a run re-runs it, which saves nothing that
did not change in QuickBooks. A ``full`` asked for while a run is going is remembered instead: GET
shows ``fullResyncRequested`` until the full resync that follows that run has run. Integration off →
409 ``integration_disabled``. Role ``admin``.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from clientele.api import http
from clientele.api.auth import ADMINS
from clientele.api.schemas.quickbooks import SyncRequested
from clientele.domain.quickbooks_sync import SyncRequest
from clientele.services import quickbooks_sync

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


@app.post("/integrations/quickbooks/sync", tags=["integrations"],
          summary="Ask for a QuickBooks sync now (changes since the watermark, or a full resync)")
def request_quickbooks_sync(body: Annotated[SyncRequest | None, Body()] = None) -> Response[SyncRequested]:
    quickbooks_sync.request(http.principal().org, full=body is not None and body.full)
    return http.json_response({"status": "requested"}, 202, location="/integrations/quickbooks/sync")


lambda_handler = http.entrypoint(app, ADMINS)
