"""Report dimensions (``GET /reports/customers?groupBy=…``, SPEC §4.9) and the customer field each
counts: the stream keeps counters per dimension, the report service reads them back per group.

Kept free of the customer models: the stream processor imports this on every cold start."""

from __future__ import annotations

from clientele.domain.references import REFERENCE_FIELDS

# Dimensions whose groups are the customer's own values (accountState, accountPriority).
VALUE_DIMENSIONS: tuple[str, ...] = ("accountState", "accountPriority")
# Dimension → the customer field it counts: the reported taxonomy references, then the value dimensions.
REPORT_DIMENSIONS: dict[str, str] = {
    **{reference.name: reference.field for reference in REFERENCE_FIELDS if reference.reported},
    **{dimension: dimension for dimension in VALUE_DIMENSIONS},
}
