"""The one writer of a planned customer save: one transaction, and the document as the response shows it."""

from __future__ import annotations

from clientele.services.customers.documents import with_contacts
from clientele.services.customers.plan import Plan
from clientele.services.saved import Saved
from clientele.store import customers as store
from clientele.store import remote_ids as remote_store


def commit(org: str, plan: Plan) -> Saved:
    """Write ``plan`` in one transaction. Raises what the store maps a failed condition to: VersionConflict
    (changed since read), CustomerDeleted, a guard's ValidationFailed, RemoteIdTaken (a lost upsert race)."""
    if plan.existing is None:
        if plan.remote_id is not None:
            remote_store.create_customer_with_remote_id(org, plan.record, plan.guards, plan.links, plan.contacts)
        else:
            store.create_customer(org, plan.record, plan.guards, plan.links, plan.contacts)
        saved = plan.record
    else:
        store.update_customer(org, plan.existing, plan.record, plan.version - 1, plan.guards, plan.links,
                              plan.contacts, require_no_orders=plan.requires_no_orders)
        saved = {**plan.existing, **plan.record}
    return Saved(with_contacts(saved, plan.catalog, plan.final_contacts), plan.version)
