"""Reading a customer document (the customer with its contacts) and the rules every save checks first."""

from __future__ import annotations

from typing import Any

from clientele.errors import Conflict
from clientele.services import contacts as contact_service
from clientele.services import orgs
from clientele.services.customers.records import present
from clientele.services.lookups import found, require_uuid
from clientele.store import customers as store
from clientele.store.catalog import Catalog
from clientele.store.table import Item

Document = tuple[Item | None, list[Item]]  # the customer item (None when missing) and its contacts


def read_document(org: str, customer_id: str) -> Document:
    """The customer with its contacts, in one Query. A caller that decides before it changes (the upsert,
    a merge) reads it once and hands it to :func:`plan.prepare_change`."""
    require_uuid(customer_id, "customer")
    return store.read_document(org, customer_id)


def load(org: str, customer_id: str) -> Item:
    """The customer item alone (one GetItem), for a change that does not touch its contacts."""
    require_uuid(customer_id, "customer")
    return found(store.get_customer(org, customer_id), "customer")


def with_contacts(record: Item, catalog: Catalog, contacts: list[Item]) -> dict[str, Any]:
    return {**present(record, catalog), "contacts": contact_service.present_all(contacts)}


def catalog_for(org: str, values: dict[str, Any]) -> Catalog:
    """The catalog this request read (consistently, on first use): it already holds every entry
    committed before the request began, so an id it does not know is refused, not re-read."""
    del values
    return orgs.catalog(org)


def refuse_while_integration_owns_customers(catalog: Catalog, instead: str) -> None:
    """SPEC §5.3: with ``customerIntegrationEnabled`` customers come from the integration only;
    ``instead`` tells the caller where to go (POST /customers and POST /imports say different things)."""
    if catalog.settings is not None and catalog.settings.customer_integration_enabled:
        raise Conflict("integration_enabled",
                       f"Customers come from the integration while customerIntegrationEnabled is on; {instead}")
