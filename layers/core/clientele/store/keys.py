"""Single-table key formats. Every partition key starts with ``ORG#<orgId>`` (tenancy by key), with
one documented exception: the QuickBooks realm marker (``QBO_REALM#<realmId>``), which maps a
webhook's realm to its org and makes a realm id unique across orgs; it holds only the org id.

See docs/access-patterns.md for the access pattern each key or index serves.
"""

from __future__ import annotations

# The table's own key attributes (every item has both).
TABLE_PK = "PK"
TABLE_SK = "SK"

# Index names and their key attributes, as declared in template.yaml.
NAME_INDEX = "GSI1"  # all customers of an org by folded display name
TYPE_INDEX = "GSI2"  # customers by customer type
SEGMENT_INDEX = "GSI3"
CATEGORY_INDEX = "GSI4"
BROKER_INDEX = "GSI5"
PARENT_INDEX = "GSI6"
STATE_INDEX = "GSI7"
PRIORITY_INDEX = "GSI8"
TASK_INDEX = "GSI9"  # sparse: an org's tasks by status, earliest due date first
# Local index over each customer partition (strongly consistent): activities newest first,
# projects by name. LSI1SK is set only on activity and project items.
CUSTOMER_LOCAL_INDEX = "LSI1"
CUSTOMER_LOCAL_SK = "LSI1SK"

INDEX_KEYS: dict[str, tuple[str, str]] = {
    name: (f"{name}PK", f"{name}SK")
    for name in (NAME_INDEX, TYPE_INDEX, SEGMENT_INDEX, CATEGORY_INDEX, BROKER_INDEX, PARENT_INDEX,
                 STATE_INDEX, PRIORITY_INDEX, TASK_INDEX)
}

# How many shards carry a taxonomy entry's reference guard (see decisions.md: hot items).
GUARD_SHARDS = 8

CUSTOMER_SK = "CUSTOMER"
SETTINGS_SK = "SETTINGS"
QBO_REALM_SK = "QBO_REALM"


ORG_PREFIX = "ORG#"


def org_pk(org: str) -> str:
    return f"{ORG_PREFIX}{org}"


def org_of_pk(pk: str) -> str:
    """The organisation an item belongs to, read back from its partition key (``ORG#<org>…``)."""
    if not pk.startswith(ORG_PREFIX):
        raise ValueError(f"not an organisation's item: {pk[:60]!r}")
    return pk[len(ORG_PREFIX):].split("#", 1)[0]


def qbo_realm_pk(realm_id: str) -> str:
    """The one key not under ``ORG#``: a realm belongs to at most one org (SPEC §4.1, §5.3)."""
    return f"QBO_REALM#{realm_id}"


def customer_pk(org: str, customer_id: str) -> str:
    return f"ORG#{org}#CUST#{customer_id}"


def taxonomy_sk(kind: str, entry_id: str) -> str:
    return f"TAX#{kind}#{entry_id}"


def taxonomy_prefix(kind: str) -> str:
    return f"TAX#{kind}#"


def taxonomy_list_sk(kind: str) -> str:
    """The per-list head item: names and sort orders of all entries, versioned as a whole."""
    return f"TAXLIST#{kind}"


def guard_pk(org: str, kind: str, entry_id: str, shard: int) -> str:
    return f"ORG#{org}#GUARD#{kind}#{entry_id}#{shard}"


GUARD_SK = "GUARD"


def idempotency_pk(org: str) -> str:
    return f"ORG#{org}#IDEMPOTENCY"


def customers_partition(org: str) -> str:
    return f"ORG#{org}#CUSTOMERS"


PAYMENT_TERMS_INDEX = "GSI11"  # customers by payment terms (SPEC §13): list filter and SET NULL
INDEX_KEYS[PAYMENT_TERMS_INDEX] = (f"{PAYMENT_TERMS_INDEX}PK", f"{PAYMENT_TERMS_INDEX}SK")

# Facet indexes: the customer field each serves as a list filter, its index and partition prefix.
# Every reference field of domain/references.py has one (tests/contract/test_keys.py checks).
FACETS: dict[str, tuple[str, str]] = {
    "customerTypeId": (TYPE_INDEX, "CTYPE"),
    "customerSegmentId": (SEGMENT_INDEX, "CSEGMENT"),
    "customerCategoryId": (CATEGORY_INDEX, "CCATEGORY"),
    "brokerId": (BROKER_INDEX, "CBROKER"),
    "parentCustomerId": (PARENT_INDEX, "CPARENT"),
    "accountState": (STATE_INDEX, "CSTATE"),
    "accountPriority": (PRIORITY_INDEX, "CPRIORITY"),
    "paymentTermsId": (PAYMENT_TERMS_INDEX, "CTERMS"),
}


def facet_partition(org: str, facet: str, value: str) -> str:
    return f"ORG#{org}#{facet}#{value}"


def name_sort_key(folded_name: str, customer_id: str) -> str:
    return f"{folded_name}#{customer_id}"


# --- what hangs off a customer (issue 3) ------------------------------------------------------------

CONTACT_PREFIX = "CONTACT#"
ACTIVITY_PREFIX = "ACTIVITY#"
PROJECT_PREFIX = "PROJECT#"
ADDRESS_SK = "ADDRESS"
NO_DUE_DATE = "9999-12-31"  # tasks without a due date sort after every dated task


def contact_sk(contact_id: str) -> str:
    return f"{CONTACT_PREFIX}{contact_id}"


def activity_sk(activity_id: str) -> str:
    return f"{ACTIVITY_PREFIX}{activity_id}"


def activity_timeline_sk(occurred_at: str, activity_id: str) -> str:
    """LSI1SK of an activity: fixed-width UTC time first, so the index sorts by ``occurredAt``."""
    return f"{ACTIVITY_PREFIX}{occurred_at}#{activity_id}"


def project_sk(project_id: str) -> str:
    return f"{PROJECT_PREFIX}{project_id}"


def project_name_sk(folded_name: str, project_id: str) -> str:
    return f"{PROJECT_PREFIX}{folded_name}#{project_id}"


def tasks_partition(org: str, status: str) -> str:
    return f"ORG#{org}#TASKS#{status}"


def task_sort_key(due_date: str | None, activity_id: str) -> str:
    return f"{due_date or NO_DUE_DATE}#{activity_id}"


def address_pk(org: str, entry_id: str) -> str:
    return f"ORG#{org}#ADDRESS#{entry_id}"


def addresses_partition(org: str) -> str:
    """GSI1 partition of the org's address book, by folded label (GSI1 is overloaded)."""
    return f"ORG#{org}#ADDRESSES"


# --- sales orders and stream-derived items (issue 4) --------------------------------------------------

ORDERS_BY_CUSTOMER_INDEX = "GSI10"  # a customer's sales orders, newest first
INDEX_KEYS[ORDERS_BY_CUSTOMER_INDEX] = (f"{ORDERS_BY_CUSTOMER_INDEX}PK", f"{ORDERS_BY_CUSTOMER_INDEX}SK")
ORDER_SK = "ORDER"
ORDER_SEQUENCE_SK = "SEQ#SO"  # per-org order number counter, under ``ORG#o``
CHILD_PREFIX = "CHILD#"
CONTACT_POINT_SK_PREFIX = "CUST#"
ROLLUP_PREFIX = "ROLLUP#"  # a source's contribution to counters (after CUSTOMER in the customer partition)
REPORT_COUNT_PREFIX = "COUNT#"
REPORT_SHARDS = 4  # report counters are spread over shards by customer id (docs/design/stream-and-orders.md)


def sales_order_pk(org: str, order_id: str) -> str:
    return f"ORG#{org}#SO#{order_id}"


def customer_orders_partition(org: str, customer_id: str) -> str:
    return f"ORG#{org}#CUSTSO#{customer_id}"


def order_sort_key(created_at: str, sequence: int, order_id: str) -> str:
    """Creation time, then the org's order number (orders created in one millisecond keep their order)."""
    return f"{created_at}#{sequence:012d}#{order_id}"


def child_sk(child_id: str) -> str:
    return f"{CHILD_PREFIX}{child_id}"


def phone_pk(org: str, phone: str) -> str:
    return f"ORG#{org}#PHONE#{phone}"


def email_pk(org: str, email: str) -> str:
    return f"ORG#{org}#EMAIL#{email}"


def contact_point_sk(customer_id: str) -> str:
    return f"{CONTACT_POINT_SK_PREFIX}{customer_id}"


def report_pk(org: str) -> str:
    return f"ORG#{org}#REPORT"


def report_count_prefix(dimension: str) -> str:
    return f"{REPORT_COUNT_PREFIX}{dimension}#"


def report_count_sk(dimension: str, value: str | None, shard: int) -> str:
    return f"{REPORT_COUNT_PREFIX}{dimension}#{value or '-'}#{shard}"


# The sources of contributions: a customer's report counts, an order's or an activity's project rollups.
ROLLUP_REPORT, ROLLUP_ORDER, ROLLUP_ACTIVITY = "REPORT", "ORDER", "ACTIVITY"


def rollup_sk(source: str, source_id: str) -> str:
    """A source's contribution item: ``ROLLUP#REPORT`` (a customer), ``ROLLUP#ORDER#<id>``, ``ROLLUP#ACTIVITY#<id>``."""
    return f"{ROLLUP_PREFIX}{source}#{source_id}" if source_id else f"{ROLLUP_PREFIX}{source}"


# --- remote-id markers and import jobs -----------------------------------------------------------------


def unique_pk(org: str) -> str:
    """The org's partition of uniqueness markers (one item per claimed remote id)."""
    return f"ORG#{org}#UNIQUE"


def remote_id_sk(remote_id: str) -> str:
    return f"REMOTE_ID#{remote_id}"


IMPORT_SK = "IMPORT"


def import_pk(org: str, import_id: str) -> str:
    return f"ORG#{org}#IMPORT#{import_id}"


# --- QuickBooks sync job (issue 5) -------------------------------------------------------------------

QBO_SYNC_STATE_SK = "QBO_SYNC_STATE"  # under ``ORG#o``: watermark, last run, counts, status
QBO_SYNC_LEASE_SK = "QBO_SYNC_LEASE"  # under ``ORG#o``: one sync per org at a time (conditional put, expiry)
# The orgs the scheduled sync visits: a sparse GSI1 partition holding only the realm markers (the
# documented exception above) of orgs whose QuickBooks integration is on — no Scan, no new index.
QBO_SYNC_INDEX = NAME_INDEX
QBO_ENABLED_REALMS = "QBO_REALM#ENABLED"


# --- webhooks and the changes feed (SPEC §11) ------------------------------------------------------------

# Subscriptions: one partition per org (at most 20 items, listed and fanned out with one Query) and, in it,
# the counter that makes the 20-per-org limit exact under concurrent creates.
WEBHOOK_PREFIX = "WEBHOOK#"
WEBHOOK_COUNT_SK = "WEBHOOK_COUNT"
DELIVERY_PREFIX = "DELIVERY#"
WEBHOOK_EVENT_PREFIX = "WEBHOOK_EVENT#"


def webhooks_pk(org: str) -> str:
    return f"ORG#{org}#WEBHOOKS"


def webhook_sk(webhook_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def deliveries_pk(org: str, webhook_id: str) -> str:
    """A subscription's delivery log: ``DELIVERY#<time-ordered id>``, newest last; LSI1 by status."""
    return f"ORG#{org}#WEBHOOK#{webhook_id}"


def delivery_sk(delivery_id: str) -> str:
    return f"{DELIVERY_PREFIX}{delivery_id}"


def delivery_status_sk(status: str, delivery_id: str) -> str:
    """LSI1SK of a delivery: its status, then its time-ordered id (``GET …/deliveries?status=``)."""
    return f"{DELIVERY_PREFIX}{status}#{delivery_id}"


def delivery_status_prefix(status: str | None) -> str:
    return f"{DELIVERY_PREFIX}{status}#" if status else DELIVERY_PREFIX


def webhook_event_pk(org: str, event_id: str) -> str:
    """The partition of an event's payload that concerns no customer (a ping); a customer's, contact's or
    sales order's event payload lives in its customer's partition, where erasure finds it."""
    return f"ORG#{org}#WEBHOOK_EVENT#{event_id}"


def webhook_event_sk(event_id: str) -> str:
    return f"{WEBHOOK_EVENT_PREFIX}{event_id}"


def changes_pk(org: str, day: str) -> str:
    """The changes feed, one partition per org and UTC day (``YYYY-MM-DD``): an item collection of a
    table with an LSI holds at most 10 GB, so a month of one org's changes must not share one."""
    return f"ORG#{org}#CHANGES#{day}"


def change_days_pk(org: str) -> str:
    """The days an org's feed has entries on (``DAY#<day>``), so a reader skips the days without any."""
    return f"ORG#{org}#CHANGES"


def change_day_sk(day: str) -> str:
    return f"DAY#{day}"


CHANGE_DAY_PREFIX = "DAY#"


def change_sk(stamp_ms: int, sequence: int, entry_id: str) -> str:
    """Processing time (fixed-width ms), the writer's sequence within that ms, the entry id."""
    return f"{stamp_ms:013d}#{sequence:04d}#{entry_id}"


def change_position(stamp_ms: int) -> str:
    """A feed position between entries: every entry stamped before ``stamp_ms`` sorts below it."""
    return f"{stamp_ms:013d}"
