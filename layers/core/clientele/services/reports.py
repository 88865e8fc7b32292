"""``GET /reports/customers?groupBy=…``: live customers per group, from the stream-maintained
report counters (one Query, SPEC §4.9).

Taxonomy groups list every entry of the list in sort order (zero counts included) and a
``key: null`` group for customers without one; a count kept under an entry that was deleted (its
SET NULL still running) is shown in the ``null`` group, as reads show such references as null.
State and priority groups list every value in their defined order."""

from __future__ import annotations

from typing import Any

from clientele.domain.customers import ACCOUNT_PRIORITIES, ACCOUNT_STATES
from clientele.domain.references import REPORTED_KINDS
from clientele.services import orgs
from clientele.store import derived

TAXONOMY_GROUPS = REPORTED_KINDS
# The values of each value dimension (domain/reports.py VALUE_DIMENSIONS), in their defined order.
VALUE_GROUPS: dict[str, tuple[str, ...]] = {"accountState": ACCOUNT_STATES, "accountPriority": ACCOUNT_PRIORITIES}


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def customer_report(org: str, group_by: str) -> dict[str, Any]:
    counts = derived.report_counts(org, group_by)
    groups: list[dict[str, Any]] = []
    if group_by in VALUE_GROUPS:
        for value in VALUE_GROUPS[group_by]:
            groups.append({"key": value, "name": _label(value), "color": None, "count": counts.pop(value, 0)})
        for value, count in sorted(counts.items()):  # a value no longer in the domain (never expected)
            if count:
                groups.append({"key": value, "name": _label(value), "color": None, "count": count})
        return {"groups": groups}

    kind = TAXONOMY_GROUPS[group_by]
    catalog = orgs.catalog(org)  # read in this request: it knows every entry that exists
    for entry in catalog.ordered(kind):
        groups.append({"key": entry["id"], "name": entry.get("name"), "color": entry.get("color"),
                       "count": counts.pop(entry["id"], 0)})
    unassigned = sum(counts.values())  # no entry (""), or an entry deleted meanwhile
    if unassigned:
        groups.append({"key": None, "name": None, "color": None, "count": unassigned})
    return {"groups": groups}
