"""Single-table key formats. Every partition key starts with ``ORG#<orgId>`` (tenancy by key).

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

INDEX_KEYS: dict[str, tuple[str, str]] = {
    name: (f"{name}PK", f"{name}SK")
    for name in (NAME_INDEX, TYPE_INDEX, SEGMENT_INDEX, CATEGORY_INDEX, BROKER_INDEX, PARENT_INDEX,
                 STATE_INDEX, PRIORITY_INDEX)
}

# How many shards carry a taxonomy entry's reference guard (see decisions.md: hot items).
GUARD_SHARDS = 8

CUSTOMER_SK = "CUSTOMER"
SETTINGS_SK = "SETTINGS"


def org_pk(org: str) -> str:
    return f"ORG#{org}"


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
