"""Projectors: pure functions ``(old_image, new_image) -> list of writes``, one per derived thing.

Images are the stream record's item images (``None`` when absent: no old image on INSERT, no new
image on REMOVE). Every write is stamped from the source's ``version``: ``2 * version`` for an
insert or change, ``2 * version + 1`` for a removal (which follows the last version). A change
that leaves ``version`` alone only moved counters kept on the item (``liveChildren``,
``orderCount``) and projects to nothing.

Projectors write only what a change *changes* (an entry added or removed, a share that moved); the
newest stamp wins per derived item, and the last change of an item is always the newest record
that mentions it, so any delivery order converges on the state of the newest version.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from clientele.domain.money import money_text, percent_out
from clientele.domain.references import KIND_OF_FIELD, SET_NULL_KINDS
from clientele.domain.reports import REPORT_DIMENSIONS
from clientele.domain.sales_orders import contributes_to_rollups
from clientele.store import keys
from clientele.store.writes import Contribution, Counter, IndexEntry
from clientele.streams.changes_feed import changes_feed
from clientele.streams.resource_events import contact_events
from clientele.streams.writes import ClearReferences, DomainEvent, Write

Image = Mapping[str, Any]
Projector = Callable[[Image | None, Image | None], list[Write]]

CUSTOMER, SALES_ORDER, ACTIVITY, TAXONOMY = "customer", "sales_order", "activity", "taxonomy"
SOURCE_ENTITIES = (CUSTOMER, SALES_ORDER, ACTIVITY)
# Attributes of a customer item that are not part of its representation (kept off child links).
_NOT_COPIED = frozenset({keys.TABLE_PK, keys.TABLE_SK, "entity", "liveChildren", "liveMemberChildren", "orderCount",
                         "typeGuardShard", "isMember", "openOrderValue", "creditAvailable"})
_EVENT_CUSTOMER_FIELDS = ("id", "displayName", "firstName", "lastName", "companyName", *KIND_OF_FIELD,
                          "parentCustomerId", "accountState", "accountPriority", "emails", "phones", "remoteId",
                          "createdAt", "updatedAt", "deletedAt")


# --- reading images ------------------------------------------------------------------------------------


def org_of(image: Image) -> str:
    """The organisation from the item's partition key (``ORG#<org>…``)."""
    return keys.org_of_pk(str(image[keys.TABLE_PK]))


def version_of(image: Image | None) -> int:
    value = (image or {}).get("version")
    return int(value) if isinstance(value, int | Decimal) else 0


def entity_of(old: Image | None, new: Image | None) -> str | None:
    image = new if new is not None else old
    return str(image.get("entity")) if image is not None and image.get("entity") else None


def stamp_of(old: Image | None, new: Image | None) -> int:
    return 2 * version_of(new) if new is not None else 2 * version_of(old) + 1


def _live(image: Image | None) -> bool:
    return image is not None and not image.get("deletedAt")


def _counters_only(old: Image | None, new: Image | None) -> bool:
    """A change that did not bump the version (a counter kept on the item moved)."""
    return old is not None and new is not None and version_of(old) == version_of(new)


def _is(entity: str, old: Image | None, new: Image | None) -> bool:
    return entity_of(old, new) == entity and not _counters_only(old, new)


def _tombstone(pk: str, sk: str, entity: str, stamp: int) -> IndexEntry:
    return IndexEntry(pk, sk, entity, stamp, None)


# --- parent → children index ---------------------------------------------------------------------------


def child_copy(image: Image) -> dict[str, Any]:
    """What a child link holds: the child's representation fields (no keys, index keys or counters)."""
    return {name: value for name, value in image.items()
            if name not in _NOT_COPIED and not name.startswith(("GSI", "LSI"))}


def children_index(old: Image | None, new: Image | None) -> list[Write]:
    """``ORG#o#CUST#<parent>`` / ``CHILD#<child>``: a live child under its parent, with its fields."""
    if not _is(CUSTOMER, old, new):
        return []
    image = new if new is not None else old
    assert image is not None
    org, child_id, stamp = org_of(image), str(image["id"]), stamp_of(old, new)
    old_parent = old.get("parentCustomerId") if old is not None and _live(old) else None
    new_parent = new.get("parentCustomerId") if new is not None and _live(new) else None
    writes: list[Write] = []
    if old_parent and old_parent != new_parent:
        writes.append(_tombstone(keys.customer_pk(org, old_parent), keys.child_sk(child_id), "child_link", stamp))
    if new_parent and new is not None:
        writes.append(IndexEntry(keys.customer_pk(org, new_parent), keys.child_sk(child_id), "child_link", stamp,
                                 child_copy(new)))
    return writes


# --- phone / email → customer index --------------------------------------------------------------------


def _contact_points(org: str, image: Image | None) -> dict[str, dict[str, str]]:
    if not _live(image):
        return {}
    assert image is not None
    points = {keys.phone_pk(org, str(phone)): {"kind": "phone", "value": str(phone)}
              for phone in image.get("phones") or ()}
    points.update({keys.email_pk(org, str(email).lower()): {"kind": "email", "value": str(email).lower()}
                   for email in image.get("emails") or ()})
    return points


def contact_points(old: Image | None, new: Image | None) -> list[Write]:
    """``ORG#o#PHONE#<number>`` / ``ORG#o#EMAIL#<address>``, ``CUST#<id>`` for each of a live customer's."""
    if not _is(CUSTOMER, old, new):
        return []
    image = new if new is not None else old
    assert image is not None
    org, customer_id, stamp = org_of(image), str(image["id"]), stamp_of(old, new)
    before, after = _contact_points(org, old), _contact_points(org, new)
    sk = keys.contact_point_sk(customer_id)
    writes: list[Write] = [IndexEntry(pk, sk, "contact_point", stamp, {"customerId": customer_id, **point})
                           for pk, point in after.items() if pk not in before]
    writes += [_tombstone(pk, sk, "contact_point", stamp) for pk in before if pk not in after]
    return writes


# --- report counters -----------------------------------------------------------------------------------


def report_shard(customer_id: str) -> int:
    """A customer always counts on the same shard of each report counter (stable across processes)."""
    return zlib.crc32(customer_id.encode()) % keys.REPORT_SHARDS


def _report_shares(org: str, image: Image | None) -> dict[Counter, dict[str, Decimal]]:
    if not _live(image):
        return {}
    assert image is not None
    shard = report_shard(str(image["id"]))
    shares: dict[Counter, dict[str, Decimal]] = {}
    for dimension, field_name in REPORT_DIMENSIONS.items():
        value = image.get(field_name)
        counter = Counter(keys.report_pk(org), keys.report_count_sk(dimension, value, shard),
                          labels=(("dimension", dimension), ("key", str(value or ""))))
        shares[counter] = {"count": Decimal(1)}
    return shares


def report_counters(old: Image | None, new: Image | None) -> list[Write]:
    """Live customers per type, segment, category, state and priority (SPEC §4.9)."""
    if not _is(CUSTOMER, old, new):
        return []
    image = new if new is not None else old
    assert image is not None
    org = org_of(image)
    before, after = _report_shares(org, old), _report_shares(org, new)
    if before == after:
        return []
    return [Contribution(keys.customer_pk(org, str(image["id"])), keys.rollup_sk(keys.ROLLUP_REPORT, ""),
                         stamp_of(old, new), after, final=new is None)]


# --- project rollups -----------------------------------------------------------------------------------


def _project_counter(org: str, customer_id: str, project_id: str) -> Counter:
    return Counter(keys.customer_pk(org, customer_id), keys.project_sk(project_id), must_exist=True)


def _order_shares(org: str, image: Image | None) -> dict[Counter, dict[str, Decimal]]:
    if image is None or not image.get("customerProjectId") or not contributes_to_rollups(image.get("status")):
        return {}
    total = image.get("total")
    counter = _project_counter(org, str(image["customerId"]), str(image["customerProjectId"]))
    return {counter: {"orderCount": Decimal(1), "orderValue": Decimal(total) if total is not None else Decimal(0)}}


def _activity_shares(org: str, image: Image | None) -> dict[Counter, dict[str, Decimal]]:
    if image is None or not image.get("customerProjectId"):
        return {}
    counter = _project_counter(org, str(image["customerId"]), str(image["customerProjectId"]))
    return {counter: {"activityCount": Decimal(1)}}


def project_rollups(old: Image | None, new: Image | None) -> list[Write]:
    """``orderCount``/``orderValue`` over a project's orders that are not cancelled, ``activityCount``."""
    entity = entity_of(old, new)
    if entity not in (SALES_ORDER, ACTIVITY) or _counters_only(old, new):
        return []
    image = new if new is not None else old
    assert image is not None
    org = org_of(image)
    shares = _order_shares if entity == SALES_ORDER else _activity_shares
    before, after = shares(org, old), shares(org, new)
    if before == after:
        return []
    source = keys.ROLLUP_ORDER if entity == SALES_ORDER else keys.ROLLUP_ACTIVITY
    return [Contribution(keys.customer_pk(org, str(image["customerId"])), keys.rollup_sk(source, str(image["id"])),
                         stamp_of(old, new), after, final=new is None)]


# --- domain events -------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return percent_out(value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def event_customer(image: Image) -> dict[str, Any]:
    customer = {name: _plain(image.get(name)) for name in _EVENT_CUSTOMER_FIELDS}
    customer["version"] = version_of(image)
    return customer


def _event_order(image: Image) -> dict[str, Any]:
    order = {name: image.get(name) for name in ("id", "number", "customerId", "customerProjectId", "status",
                                                 "brokerId", "createdAt", "updatedAt")}
    for name in ("subtotal", "discountAmount", "total"):
        order[name] = money_text(Decimal(image.get(name) or 0))
    order["discountRate"] = _plain(image.get("discountRate"))
    order["version"] = version_of(image)
    return order


def domain_events(old: Image | None, new: Image | None) -> list[Write]:
    """CustomerCreated|Updated|Deleted|Restored and SalesOrderCreated|Updated, each with an
    ``eventId`` (type, id, version) so consumers can drop the duplicates at-least-once brings."""
    entity = entity_of(old, new)
    if new is None or entity not in (CUSTOMER, SALES_ORDER) or _counters_only(old, new):
        return []
    org, version = org_of(new), version_of(new)
    if entity == CUSTOMER:
        if old is None:
            kind = "CustomerCreated"
        elif _live(old) and not _live(new):
            kind = "CustomerDeleted"
        elif not _live(old) and _live(new):
            kind = "CustomerRestored"
        else:
            kind = "CustomerUpdated"
        emails = [str(email) for email in new.get("emails") or ()]
        return [DomainEvent(kind, {"eventId": f"{kind}:{new['id']}:{version}", "orgId": org,
                                   "customerId": new["id"], "version": version, "emails": emails,
                                   "customer": event_customer(new)}, resource=(entity, old, new))]
    kind = "SalesOrderCreated" if old is None else "SalesOrderUpdated"
    snapshot = new.get("customerSnapshot") or {}
    return [DomainEvent(kind, {"eventId": f"{kind}:{new['id']}:{version}", "orgId": org, "salesOrderId": new["id"],
                               "customerId": new.get("customerId"), "version": version,
                               "previousStatus": old.get("status") if old is not None else None,
                               "salesOrder": _event_order(new),
                               "customerEmails": [str(email) for email in snapshot.get("emails") or ()]},
                        customer_emails_of=(org, str(new.get("customerId"))), resource=(entity, old, new))]


# --- SET NULL ------------------------------------------------------------------------------------------


def set_null(old: Image | None, new: Image | None) -> list[Write]:
    """A deleted segment, broker or category: clear it on every customer that still has it."""
    if new is not None or old is None or old.get("entity") != TAXONOMY or old.get("kind") not in SET_NULL_KINDS:
        return []
    return [ClearReferences(org_of(old), str(old["kind"]), str(old["id"]))]


PROJECTORS: tuple[Projector, ...] = (children_index, contact_points, report_counters, project_rollups, domain_events,
                                     set_null, contact_events, changes_feed)


def project(old: Image | None, new: Image | None) -> list[Write]:
    """Every projector's writes for one change."""
    return [write for projector in PROJECTORS for write in projector(old, new)]
