"""Org provisioning and the org catalog (settings + the four taxonomy lists) a request works with.

Nothing a client reads comes from a cache that outlives the request. In AWS every function has its
own containers, so a catalog kept per container is stale in every container but the writer's: a
GET there served the old entry and ETag, and a PATCH with that ETag got 412. The catalog is
therefore read consistently (one Query of the org partition) the first time a request needs it
and shared by that request only (``request_scope.per_request`` opens the scope; the HTTP entrypoint
and the jobs use it). Outside a scope every call reads afresh.

The one per-container memory is *that* an org is provisioned: provisioning is permanent, so
knowing it cannot go stale, and it spares the entrypoint a read on every request.
"""

from __future__ import annotations

import os

from clientele import clock
from clientele.domain.settings import OrgSettings
from clientele.domain.taxonomies import DEFAULT_TYPES
from clientele.services import request_scope
from clientele.store import catalog as catalog_store
from clientele.store import orgs as org_store
from clientele.store.catalog import Catalog

_provisioned: set[str] = set()


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


def require_provisioned(org: str) -> None:
    """Provision the org on its first request; free once this container has seen it provisioned."""
    if org not in _provisioned:
        refresh(org)


def ensure_provisioned(org: str) -> Catalog:
    """The org's catalog, provisioning the org (settings + default types) when it has none."""
    require_provisioned(org)
    return catalog(org)


def catalog(org: str) -> Catalog:
    """The org's catalog as this request read it (read now, consistently, on first use)."""
    scope = request_scope.catalogs.get()
    loaded: Catalog | None = scope.get(org) if scope is not None else None
    return loaded if loaded is not None else refresh(org)


def refresh(org: str) -> Catalog:
    """Read the catalog consistently now (provisioning the org first if it has no settings); the
    current request keeps it."""
    loaded = catalog_store.load_catalog(org)
    if loaded.settings is None:
        _provision(org)
        loaded = catalog_store.load_catalog(org)
    _provisioned.add(org)
    scope = request_scope.catalogs.get()
    if scope is not None:
        scope[org] = loaded
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
    """Drop the catalog this request read, after the request changed it."""
    scope = request_scope.catalogs.get()
    if scope is not None:
        scope.pop(org, None)


def forget_all() -> None:
    """Forget everything, provisioning included (tests start each table empty)."""
    _provisioned.clear()
    scope = request_scope.catalogs.get()
    if scope is not None:
        scope.clear()
