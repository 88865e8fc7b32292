"""PUT /customers/by-remote-id/{remoteId}: create-or-update keyed by the external system's id (SPEC §5.3).

* Unique per org through a marker (``store.remote_ids``) put in the customer's creating transaction.
* 201 when this call created the customer, 200 when it updated one. A lost race — the marker was
  claimed between our read and our write, or the customer changed between our read and our
  update — is retried here with the winner's id, never returned as an error.
* An update changes the fields sent and keeps the ones omitted (the sync sends every field it owns,
  ``null`` for an empty one); it is exempt from field ownership and needs no If-Match.
* A create without ``customerTypeId`` gets the org's first active customer type (by sortOrder):
  QuickBooks has no such notion, and §4.3 requires one.
* ``isActive`` (QuickBooks ``Active``): ``false`` soft-deletes after applying the fields (a customer
  already deleted keeps its stored fields until it is restored); ``true`` restores a deleted customer
  and then applies the fields; omitted on a deleted customer → 409 ``customer_deleted``.
"""

from __future__ import annotations

from clientele import clock, retries
from clientele.domain.remote_ids import UpsertFields, valid_remote_id
from clientele.errors import CustomerDeleted, ServiceUnavailable, ValidationFailed, VersionConflict
from clientele.services import orgs
from clientele.services.customers import operations
from clientele.services.customers.documents import Document, read_document, with_contacts
from clientele.services.customers.plan import prepare_create
from clientele.services.customers.write import commit
from clientele.services.saved import Saved
from clientele.store import remote_ids as remote_store
from clientele.store.catalog import Catalog
from clientele.store.remote_ids import RemoteIdTaken
from clientele.store.table import as_int


def upsert(org: str, remote_id: str, fields: UpsertFields) -> tuple[Saved, bool]:
    """(saved customer, created?)."""
    if not valid_remote_id(remote_id):
        raise ValidationFailed.of("remoteId", "Use 1..100 letters, digits or . _ : @ -")
    is_active = fields.isActive if "isActive" in fields.model_fields_set else None
    created_id: str | None = None
    for _ in retries.attempts():
        try:
            if created_id is None:
                customer_id = remote_store.customer_id_for(org, remote_id)
                if customer_id is None:
                    saved = _create(org, remote_id, fields)
                    if is_active is not False:
                        return saved, True
                    created_id = saved.body["id"]  # created live, then deactivated as QuickBooks says
                    return _update(org, created_id, None, is_active), True
                return _update(org, customer_id, fields, is_active), False
            return _update(org, created_id, None, is_active), True
        except (RemoteIdTaken, VersionConflict):
            continue  # someone else created it or changed it since we read: read again and apply ours
    raise ServiceUnavailable("The customer is being changed by many callers at once; retry shortly.")


def _first_active_type(catalog: Catalog) -> str | None:
    return next((entry["id"] for entry in catalog.ordered("type") if entry.get("isActive", True)), None)


def _create(org: str, remote_id: str, fields: UpsertFields) -> Saved:
    if not fields.provided().get("customerTypeId"):
        fields = fields.model_copy(update={"customerTypeId": _first_active_type(orgs.catalog(org))})
    return commit(org, prepare_create(org, fields, clock.new_id(), source="integration", remote_id=remote_id))


def _update(org: str, customer_id: str, fields: UpsertFields | None, is_active: bool | None) -> Saved:
    existing, contacts = read_document(org, customer_id)
    document: Document | None = (existing, contacts)
    if existing is None:  # the marker and the customer are written together; only a manual edit gets here
        raise ServiceUnavailable("The remote id points at a missing customer.")
    version = as_int(existing.get("version"))
    saved = Saved(with_contacts(existing, orgs.catalog(org), contacts), version)
    if existing.get("deletedAt"):
        if is_active is None:
            raise CustomerDeleted("The customer is deleted; send isActive: true to restore it.")
        if is_active is False:
            return saved
        saved = operations.restore(org, customer_id, version)
        document = None  # restored since it was read
    if fields is not None and fields.provided():
        saved = operations.change(org, customer_id, fields, saved.version, whole=False, source="integration",
                                  document=document)
    if is_active is False:
        operations.delete(org, customer_id, saved.version)
        saved = operations.get(org, customer_id)
    return saved
