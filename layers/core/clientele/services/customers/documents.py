"""Reading a customer document (the customer with its contacts) and the rules every save checks first."""

from __future__ import annotations

from typing import Any

from clientele import clock
from clientele.errors import Conflict, NotFound
from clientele.services import contacts as contact_service
from clientele.services import orgs
from clientele.services.customers.records import REFERENCES, present
from clientele.store import customers as store
from clientele.store.catalog import Catalog
from clientele.store.table import Item

Document = tuple[Item | None, list[Item]]  # the customer item (None when missing) and its contacts


def require_uuid(customer_id: str) -> None:
    if not clock.is_uuid(customer_id):
        raise NotFound("No such customer.")


def read_document(org: str, customer_id: str) -> Document:
    """The customer with its contacts: one Query (``SK BETWEEN 'CONTACT#' AND 'CUSTOMER'``).
    A caller that decides before it changes (the upsert, a merge) reads it once and hands it to the plan."""
    require_uuid(customer_id)
    items = store.query_customer_document(org, customer_id)
    record = next((item for item in items if item.get("entity") == "customer"), None)
    return record, [item for item in items if item.get("entity") == "contact"]


def load(org: str, customer_id: str) -> Item:
    """The customer item alone (one GetItem), for a change that does not touch its contacts."""
    require_uuid(customer_id)
    record = store.get_customer(org, customer_id)
    if record is None:
        raise NotFound("No such customer.")
    return record


def with_contacts(record: Item, catalog: Catalog, contacts: list[Item]) -> dict[str, Any]:
    return {**present(record, catalog), "contacts": contact_service.present_all(contacts)}


def catalog_for(org: str, values: dict[str, Any]) -> Catalog:
    """The cached catalog, refreshed once when a referenced entry is not in it (created since)."""
    catalog = orgs.catalog(org)
    for field, kind in REFERENCES.items():
        entry_id = values.get(field)
        if entry_id and catalog.entry(kind, entry_id) is None:
            return orgs.refresh(org)
    return catalog


def refuse_while_integration_owns_customers(catalog: Catalog, instead: str) -> None:
    """SPEC §5.3: with ``customerIntegrationEnabled`` customers come from the integration only;
    ``instead`` tells the caller where to go (POST /customers and POST /imports say different things)."""
    if catalog.settings is not None and catalog.settings.customer_integration_enabled:
        raise Conflict("integration_enabled",
                       f"Customers come from the integration while customerIntegrationEnabled is on; {instead}")
