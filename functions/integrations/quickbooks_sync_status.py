"""GET /integrations/quickbooks/sync — the QuickBooks sync's progress: status, counts, row errors, running.

One DynamoDB call (the sync's state and lease items in one Query); the settings come from the cached
catalog. Roles ``admin`` and ``integration``.
"""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http
from clientele.api.auth import SYNC_WATCHERS
from clientele.api.schemas.quickbooks import QuickBooksSyncStatus
from clientele.services import quickbooks_sync_status

app = APIGatewayHttpResolver(enable_validation=True)
http.install(app)


@app.get("/integrations/quickbooks/sync", tags=["integrations"],
         summary="Read the QuickBooks sync's progress (status, counts, row errors, whether it runs now)")
def get_quickbooks_sync() -> Response[QuickBooksSyncStatus]:
    return http.json_response(quickbooks_sync_status.progress(http.principal().org))


lambda_handler = http.entrypoint(app, SYNC_WATCHERS)
