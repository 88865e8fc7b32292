"""The upsert-by-remote-id document (SPEC §5.3): a customer document plus ``isActive``."""

from __future__ import annotations

import re

from pydantic import StrictBool

from clientele.domain.customers import CustomerFields

# QuickBooks ids are digits; allow what other systems commonly use, nothing that breaks a key or a URL.
REMOTE_ID = re.compile(r"[A-Za-z0-9._:@-]{1,100}")


class UpsertFields(CustomerFields):
    """Every writable customer field, plus ``isActive``: ``false`` soft-deletes the customer (QuickBooks
    ``Active=false``), ``true`` restores a deleted one, omitted keeps its state."""

    isActive: StrictBool | None = None


def valid_remote_id(value: str) -> bool:
    return bool(REMOTE_ID.fullmatch(value))
