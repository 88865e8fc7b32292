"""GET /docs — interactive documentation (Swagger UI) of the committed OpenAPI document; its files
(``GET /docs/{asset}``) come from the ``openapi-ui-bundles`` package, not a CDN.

Deployed only when the template parameter ``EnableApiDocs`` is ``true`` (off by default); the local
stack always serves it. The page reads ``/openapi.json`` from the same API. "Authorize" takes the
bearer token (locally: ``make token``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from clientele.api import http

app = APIGatewayHttpResolver()
http.install(app)

# The files the page loads, and their media types; nothing else of the package is served.
ASSETS: dict[str, str] = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
_CACHE = "public, max-age=86400"

# Relative URLs, so the page works under any stage or custom-domain prefix (/docs → docs/…, openapi.json).
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Clientele API — documentation</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32">
  <style>body { margin: 0; } .token-hint { font: 14px sans-serif; padding: 8px 20px; background: #fafafa; }</style>
</head>
<body>
  <p class="token-hint">To try an operation, press <b>Authorize</b> and paste a bearer token
    (locally: <code>make token ORG=acme ROLE=admin</code> prints one).</p>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
"""


@cache
def _static_root() -> Path:
    from openapi_ui_bundles import swagger_ui

    return Path(swagger_ui.static_path)


@cache
def _asset(name: str) -> bytes:
    return (_static_root() / name).read_bytes()


@app.get("/docs", tags=["meta"], summary="Interactive documentation (Swagger UI)",
         description="Swagger UI for `/openapi.json`, its files served by this API (no CDN). In AWS only when "
                     "the stack's `EnableApiDocs` parameter is `true`.",
         responses={200: {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}})
def docs_page() -> Response[str]:
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=PAGE,
                    headers={"Cache-Control": "no-cache"})


@app.get("/docs/<asset>", tags=["meta"], summary="A file of the documentation page",
         description="A stylesheet, script or icon of the Swagger UI page (from the `openapi-ui-bundles` package).",
         responses={200: {"description": "The file", "content": {
             "text/css": {"schema": {"type": "string"}}, "text/javascript": {"schema": {"type": "string"}},
             "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}}}},
             404: {"description": "No such file (`not_found`)",
                   "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}})
def docs_asset(asset: str) -> Response[bytes]:
    if asset not in ASSETS:
        from clientele.errors import NotFound

        raise NotFound(f"There is no documentation file {asset!r}.")
    return Response(status_code=200, content_type=ASSETS[asset], body=_asset(asset),
                    headers={"Cache-Control": _CACHE})


lambda_handler = http.public_entrypoint(app)
