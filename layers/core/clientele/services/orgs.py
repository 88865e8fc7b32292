"""Org provisioning and the per-container catalog cache (settings + taxonomies).

Saves validate references against the cached catalog and then make them exact with conditional
writes (guards, versions), so a stale cache can cost a refused save, never a wrong one. A
reference to an id the cache does not know triggers one refresh before it is refused.
"""

from __future__ import annotations

import os
import time

from clientele import clock
from clientele.config import config
from clientele.domain.settings import OrgSettings
from clientele.domain.taxonomies import DEFAULT_TYPES, Kind
from clientele.store import catalog as catalog_store
from clientele.store import orgs as org_store
from clientele.store.catalog import Catalog

_cache: dict[str, tuple[float, Catalog]] = {}


def default_settings_item(now: str) -> dict[str, object]:
    defaults = OrgSettings()
    return {
        "entity": "settings",
        "defaultCountry": defaults.default_country,
        "customerIntegrationEnabled": defaults.customer_integration_enabled,
        "version": 1,
        "createdAt": now,
        "updatedAt": now,
    }


def ensure_provisioned(org: str) -> Catalog:
    """The org's catalog; provisions the org (settings + default types) on its first request."""
    cached = _cache.get(org)
    if cached is not None:
        return cached[1]
    return refresh(org)


def catalog(org: str) -> Catalog:
    cached = _cache.get(org)
    if cached is not None and time.monotonic() - cached[0] < config().catalog_cache_seconds:
        return cached[1]
    return refresh(org)


def catalog_knowing(org: str, kind: Kind, entry_id: str | None) -> Catalog:
    """The catalog, refreshed once if it does not know ``entry_id`` (created in another container)."""
    current = catalog(org)
    if entry_id and current.entry(kind, entry_id) is None:
        current = refresh(org)
    return current


def refresh(org: str) -> Catalog:
    loaded = catalog_store.load_catalog(org)
    if loaded.settings is None:
        _provision(org)
        loaded = catalog_store.load_catalog(org)
    _cache[org] = (time.monotonic(), loaded)
    return loaded


def _provision(org: str) -> None:
    provisioner = os.environ.get("PROVISIONER_FUNCTION")
    if provisioner:
        # Read-only functions hold no write permission: they ask the provisioning function.
        import json

        from clientele import aws

        aws.client("lambda").invoke(FunctionName=provisioner, Payload=json.dumps({"org": org}).encode())
        return
    provision(org)


def provision(org: str) -> None:
    """Write default settings and the three default types, once (a conditional transaction)."""
    if catalog_store.load_catalog(org).settings is None:
        now = clock.now_iso()
        types = [
            {"entity": "taxonomy", "kind": "type", "id": clock.new_id(), "name": name, "color": color,
             "hierarchyRole": "none", "sortOrder": position, "isActive": True, "version": 1,
             "createdAt": now, "updatedAt": now}
            for position, (name, color) in enumerate(DEFAULT_TYPES)
        ]
        org_store.provision(org, default_settings_item(now), types)


def forget(org: str) -> None:
    """Drop the cached catalog after this container changed it."""
    _cache.pop(org, None)


def forget_all() -> None:
    _cache.clear()
