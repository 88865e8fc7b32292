"""GET /docs in a real browser (SPEC §7.1): headless Chromium renders Swagger UI from the stack's own
files and lists every operation of the committed document. Runs where a Chromium is installed (Debian:
`apt-get install chromium`); CI has none, and test_docs.py checks the page and its files over HTTP."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
BROWSER = next((path for name in BROWSERS if (path := shutil.which(name))), None)
# A fresh profile and nothing that reaches beyond the stack: no sync, updates or background fetches.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
# Virtual time lets the page's scripts fetch /openapi.json and render before the DOM is dumped.
RENDER_BUDGET_MS = 20_000


@pytest.fixture(scope="module")
def rendered(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> str:
    if BROWSER is None:
        pytest.skip(f"no Chromium installed ({', '.join(BROWSERS)} not on PATH); test_docs.py checks /docs over HTTP")
    profile: Path = tmp_path_factory.mktemp("chromium-profile")
    result = subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={RENDER_BUDGET_MS}",
                             "--dump-dom", f"{stack.url}/docs"], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_browser_lists_every_operation_of_the_document(stack: Stack, rendered: str) -> None:
    document = requests.get(f"{stack.url}/openapi.json", timeout=15).json()
    operations = {operation["operationId"] for path in document["paths"].values()
                  for operation in path.values() if isinstance(operation, dict) and "operationId" in operation}
    listed = set(re.findall(r'class="nostyle" href="#/[^/"]+/([^"]+)"', rendered))
    assert operations
    assert listed == operations


def test_the_browser_shows_the_documents_title_and_the_authorize_button(rendered: str) -> None:
    assert re.search(r'<h2 class="title">Clientele API', rendered)
    assert 'class="btn authorize' in rendered
    assert "errors-wrapper" not in rendered  # Swagger UI reports a document it cannot read there
