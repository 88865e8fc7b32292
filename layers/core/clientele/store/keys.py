"""Single-table key formats. Every partition key starts with ``ORG#<orgId>`` (tenancy by key), with
one documented exception: the QuickBooks realm marker (``QBO_REALM#<realmId>``), which maps a
webhook's realm to its org and makes a realm id unique across orgs; it holds only the org id.

See docs/access-patterns.md for the access pattern each key or index serves.
"""

from __future__ import annotations

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


def org_pk(org: str) -> str:
    return f"ORG#{org}"


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
