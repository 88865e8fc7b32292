"""GET /docs (SPEC §7.1): Swagger UI for the committed document, every file it loads served by the
stack itself (no CDN), the bearer scheme ready for a pasted token."""

from __future__ import annotations

import re

import pytest
import requests

from local.launch import REQUEST_TIMEOUT
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def page(stack: Stack) -> requests.Response:
    return requests.get(f"{stack.url}/docs", timeout=REQUEST_TIMEOUT)


def test_docs_is_an_html_page_without_a_token(page: requests.Response) -> None:
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in page.text and 'url: "openapi.json"' in page.text


def test_the_page_loads_nothing_from_another_host(page: requests.Response) -> None:
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text)


def test_every_file_the_page_loads_is_served(stack: Stack, page: requests.Response) -> None:
    assets = re.findall(r"""(?:src|href)="(docs/[^"]+)\"""", page.text)
    assert {"docs/swagger-ui.css", "docs/swagger-ui-bundle.js", "docs/swagger-ui-standalone-preset.js"} <= set(assets)
    expected = {".css": "text/css", ".js": "text/javascript", ".png": "image/png"}
    for asset in assets:
        reply = requests.get(f"{stack.url}/{asset}", timeout=REQUEST_TIMEOUT)
        assert reply.status_code == 200, asset
        suffix = asset[asset.rindex("."):]
        assert reply.headers["Content-Type"].startswith(expected[suffix]), (asset, reply.headers["Content-Type"])
        assert len(reply.content) > 500, asset
    bundle = requests.get(f"{stack.url}/docs/swagger-ui-bundle.js", timeout=REQUEST_TIMEOUT).text
    assert "SwaggerUIBundle" in bundle


def test_a_file_that_is_not_one_of_the_page_is_404(stack: Stack) -> None:
    reply = requests.get(f"{stack.url}/docs/index.html", timeout=REQUEST_TIMEOUT)
    assert reply.status_code == 404
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.json()["code"] == "not_found"


def test_the_document_it_shows_offers_bearer_authorization(stack: Stack) -> None:
    document = requests.get(f"{stack.url}/openapi.json", timeout=REQUEST_TIMEOUT).json()
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"get"} == set(document["paths"]["/docs"])
