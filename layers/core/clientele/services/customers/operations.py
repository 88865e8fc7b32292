"""Customer use cases (SPEC §4.3): create, read, change, delete, restore. Every save goes through
:mod:`plan` and :mod:`write`; this module only says which plan each operation makes."""

from __future__ import annotations

from clientele import clock
from clientele.domain.customers import CustomerFields
from clientele.errors import Conflict, CustomerDeleted, NotFound, ValidationFailed, VersionConflict
from clientele.services import orgs
from clientele.services.customers.documents import Document, load, read_document, with_contacts
from clientele.services.customers.hierarchy import hierarchy_role
from clientele.services.customers.ownership import Source
from clientele.services.customers.plan import prepare_change, prepare_create
from clientele.services.customers.write import commit
from clientele.services.saved import Saved
from clientele.store import customers as store
from clientele.store.table import as_int


def create(org: str, fields: CustomerFields) -> Saved:
    """POST /customers (refused while the integration owns customers)."""
    return commit(org, prepare_create(org, fields, clock.new_id(), source="api"))


def get(org: str, customer_id: str) -> Saved:
    record, contacts = read_document(org, customer_id)
    if record is None:
        raise NotFound("No such customer.")
    return Saved(with_contacts(record, orgs.catalog(org), contacts), as_int(record.get("version")))


def change(org: str, customer_id: str, fields: CustomerFields, expected_version: int, *, whole: bool,
           source: Source = "api", document: Document | None = None) -> Saved:
    """PATCH (``whole=False``) or PUT (``whole=True``); ``document`` is the caller's own read of it."""
    document = document if document is not None else read_document(org, customer_id)
    return commit(org, prepare_change(org, document, fields, expected_version, whole=whole, source=source))


def delete(org: str, customer_id: str, expected_version: int) -> None:
    existing = load(org, customer_id)
    if existing.get("deletedAt"):
        raise CustomerDeleted("The customer is deleted already.")
    if as_int(existing.get("version")) != expected_version:
        raise VersionConflict(as_int(existing.get("version")))
    if as_int(existing.get("liveChildren")) > 0:
        raise Conflict("has_children", "The customer has live children; delete or move them first.")
    store.soft_delete_customer(org, existing, expected_version, clock.now_iso())


def restore(org: str, customer_id: str, expected_version: int) -> Saved:
    probe, contacts = read_document(org, customer_id)
    if probe is None:
        raise NotFound("No such customer.")
    if as_int(probe.get("version")) != expected_version:
        raise VersionConflict(as_int(probe.get("version")))
    if not probe.get("deletedAt"):
        raise Conflict("not_deleted", "The customer is not deleted.")
    catalog = orgs.catalog(org)
    parent_id = probe.get("parentCustomerId")
    if parent_id:
        parent = store.get_customer(org, parent_id)
        if parent is None or parent.get("deletedAt"):
            raise Conflict("parent_deleted", "The customer's parent is deleted; restore the parent first.")
        if probe.get("isMember") and hierarchy_role(catalog, parent.get("customerTypeId")) != "purchaser":
            raise ValidationFailed.of("parentCustomerId", "The parent is no longer a purchaser; change it first.")
    now = clock.now_iso()
    store.restore_customer(org, probe, expected_version, now)
    restored = {**probe, "version": expected_version + 1, "updatedAt": now}
    restored.pop("deletedAt", None)
    return Saved(with_contacts(restored, catalog, contacts), expected_version + 1)
