"""GET /health — liveness, no token needed."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from clientele.api import http
from clientele.api.schemas.health import Health

app = APIGatewayHttpResolver(enable_validation=True)
http.install(app)


@app.get("/health", tags=["meta"], summary="Liveness probe")
def health() -> Health:
    return Health(status="ok")


lambda_handler = http.public_entrypoint(app)
