"""``GET /changes`` (SPEC §11): what changed since a cursor, in the order the stream processor wrote it,
which for each entity is version order.

Only entries older than the settle window are handed out (``store.changes`` says why), and the cursor
is the position after the last entry read — or, once the reader is caught up, the settle bound itself,
so an idle consumer's cursor stays fresh instead of expiring. A cursor is ``{day, after}``; one from
before the 30 days kept answers 410 ``cursor_expired`` (its changes may be gone), never a silent gap.
"""

from __future__ import annotations

import os
from typing import Any

from clientele import cursors
from clientele.domain.changes import RETENTION_SECONDS, SETTLE_SECONDS, parse_types
from clientele.errors import BadCursor, CursorExpired, ValidationFailed
from clientele.store import changes as store
from clientele.store import keys
from clientele.store.table import Item, as_int

_SCOPE = "changes"
QUERIES_PER_PAGE = 5  # a page may hold fewer than `limit` entries (SPEC §3); an idle stretch costs a few pages


def settle_seconds() -> float:
    """The settle window (``CHANGES_SETTLE_SECONDS`` overrides it; tests use 0 to read at once)."""
    return float(os.environ.get("CHANGES_SETTLE_SECONDS", SETTLE_SECONDS))


def present(item: Item) -> dict[str, Any]:
    return {"id": item["id"], "type": item.get("type"), "action": item.get("action"), "entityId": item.get("entityId"),
            "customerId": item.get("customerId"), "version": as_int(item.get("version")),
            "occurredAt": item.get("occurredAt")}


def _start(org: str, cursor: str | None, now: int) -> tuple[str, str]:
    oldest = now - RETENTION_SECONDS * 1000
    position = cursors.decode(org, _SCOPE, cursor)
    if position is None:
        day = store.day_of(oldest)
        return day, keys.change_position(max(oldest, store.day_start_ms(day)))
    stored_day, stored_after = position.get("d"), position.get("a")
    if not isinstance(stored_day, str) or not isinstance(stored_after, str) or not stored_after[:13].isdigit():
        raise BadCursor("The cursor is not one this API issued; start again without it.")
    day, after = stored_day, stored_after
    if int(after[:13]) < oldest:
        raise CursorExpired("This cursor points to changes older than the 30 days kept; start again without a "
                            "cursor (and re-read what you keep, as changes may have been missed).")
    return day, after


def page(org: str, cursor: str | None, types_text: str | None, limit: int) -> dict[str, Any]:
    try:
        types = parse_types(types_text)
    except ValueError as exc:
        raise ValidationFailed.of("types", str(exc)) from None
    now = store.now_ms()
    bound = now - int(settle_seconds() * 1000)
    before = keys.change_position(bound)
    day, after = _start(org, cursor, now)
    items: list[Item] = []
    for _ in range(QUERIES_PER_PAGE):
        found, last = store.read(org, day, after, before=before, types=types, limit=limit - len(items))
        items += found
        if last is not None:  # the Query stopped at its limit: more of this day may follow
            after = last
            if len(items) >= limit:
                break
            continue
        if store.day_start_ms(store.next_day(day)) <= bound:  # the day is over and settled: on to the next one
            following = store.first_day_after(org, day)  # with entries (the days between have none)
            if following is not None and store.day_start_ms(following) <= bound:
                day, after = following, keys.change_position(store.day_start_ms(following))
                continue
            day = store.day_of(bound)
        after = max(after, before) if day == store.day_of(bound) else after
        break  # caught up: everything before the bound is read
    return {"items": [present(item) for item in items],
            "nextCursor": cursors.encode(org, _SCOPE, {"d": day, "a": after})}
