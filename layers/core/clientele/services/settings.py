"""Organisation settings (SPEC §4.1): read consistently within the request (``orgs.catalog``), replaced
as a whole document."""

from __future__ import annotations

from typing import Any

from clientele import clock
from clientele.domain.settings import OrgSettings
from clientele.domain.settings_models import SETTINGS_FIELDS, SettingsDocument
from clientele.errors import NotFound, VersionConflict
from clientele.services import orgs
from clientele.services.saved import Saved
from clientele.store import settings as store
from clientele.store.catalog import settings_from_item


def present(settings: OrgSettings) -> dict[str, Any]:
    return {
        "defaultCountry": settings.default_country,
        "defaultAreaCode": settings.default_area_code,
        "customerIntegrationEnabled": settings.customer_integration_enabled,
        "integrationProvider": settings.integration_provider,
        "quickbooksRealmId": settings.quickbooks_realm_id,
        "defaultCurrency": settings.default_currency,
        "integrationOwnedFields": list(settings.integration_owned_fields),
        "version": settings.version,
    }


def get(org: str) -> Saved:
    settings = orgs.catalog(org).settings
    if settings is None:  # the entrypoint provisions the org before any handler runs
        raise NotFound("The organisation has no settings.")
    return Saved(present(settings), settings.version)


def replace(org: str, document: SettingsDocument, expected_version: int) -> Saved:
    """Replace the whole document; a realm id is claimed for this org in the same transaction."""
    before = store.get_settings(org)
    if before is None:
        raise NotFound("The organisation has no settings.")
    current = settings_from_item(before)
    if current.version != expected_version:
        raise VersionConflict(current.version)
    wanted = document.stored()
    unchanged = {name: value for name, value in present(current).items() if name in SETTINGS_FIELDS}
    if wanted == unchanged:  # version +1 per change: a PUT of the same document changes nothing
        return Saved(present(current), current.version)
    now = clock.now_iso()
    store.save_settings(org, before, wanted, expected_version, now)
    orgs.forget(org)
    saved = settings_from_item({**before, **wanted, "version": expected_version + 1, "updatedAt": now})
    return Saved(present(saved), saved.version)
