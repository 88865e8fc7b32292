"""Applying a batch's projected writes: coalesced per derived item, then written so that the effect
is exactly-once even though records arrive at least once and in any order.

* Index entries: per (PK, SK) only the newest stamp of the batch is written, conditionally on the
  stored stamp being older (a replay or a late record is a no-op).
* Contributions: per source only the newest; the stored contributions are read in one
  BatchGetItem, the counter deltas (new share - applied share) are summed per counter across the
  batch and committed with the contributions in as few transactions as fit (≤ 100 items each),
  each contribution conditional on the stamp read. A contribution that changed meanwhile is re-read
  and re-planned; a project that no longer exists makes its share moot.
* Domain events: EventBridge ``PutEvents``, ten a call, with the customer's current email list.
* SET NULL: the fan-out of a deleted taxonomy entry, stopped early (and retried) when time runs out.

Every write remembers the stream records it came from: when it fails, exactly those records are
reported back as failed (``batchItemFailures``) and Lambda redelivers them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clientele.store.changes import FeedEntry
from clientele.store.derived import ContributionPut, MissingCounter, StaleContribution
from clientele.store.writes import Contribution, Counter, IndexEntry, Key
from clientele.streams import changes_feed, resource_events
from clientele.streams.writes import ClearReferences, DomainEvent, Write

logger = logging.getLogger("clientele.streams")

MAX_TRANSACTION_ITEMS = 100
_CONTRIBUTION_ATTEMPTS = 5


@dataclass
class Batch:
    """A batch's writes, coalesced per derived item, each with the records it came from."""

    entries: dict[Key, tuple[IndexEntry, set[str]]] = field(default_factory=dict)
    contributions: dict[Key, tuple[Contribution, set[str]]] = field(default_factory=dict)
    events: list[tuple[DomainEvent, str]] = field(default_factory=list)
    clears: dict[tuple[str, str, str], tuple[ClearReferences, set[str]]] = field(default_factory=dict)
    feed: list[tuple[FeedEntry, str]] = field(default_factory=list)  # changes feed entries, in record order

    def add(self, source: str, writes: Iterable[Write]) -> None:
        for write in writes:
            if isinstance(write, FeedEntry):
                self.feed.append((write, source))
            elif isinstance(write, IndexEntry):
                _keep_newest(self.entries, write.key, write, source)
            elif isinstance(write, Contribution):
                _keep_newest(self.contributions, write.key, write, source)
            elif isinstance(write, DomainEvent):
                self.events.append((write, source))
            else:
                clear_key = (write.org, write.kind, write.entry_id)
                _, sources = self.clears.get(clear_key, (write, set()))
                self.clears[clear_key] = (write, sources | {source})

    def __len__(self) -> int:
        return len(self.entries) + len(self.contributions) + len(self.events) + len(self.clears) + len(self.feed)


def _keep_newest(table: dict[Any, Any], key: Any, write: IndexEntry | Contribution, source: str) -> None:
    current = table.get(key)
    if current is None:
        table[key] = (write, {source})
        return
    kept, sources = current
    table[key] = (write if write.stamp > kept.stamp else kept, sources | {source})


@dataclass
class Outcome:
    failures: dict[str, BaseException] = field(default_factory=dict)  # record sequence number → why
    entries_written: int = 0
    entries_stale: int = 0
    contributions_written: int = 0
    contributions_stale: int = 0
    counter_updates: int = 0
    transactions: int = 0
    events_published: int = 0
    references_cleared: int = 0
    feed_entries_written: int = 0

    def fail(self, sources: Iterable[str], error: BaseException) -> None:
        for source in sources:
            self.failures.setdefault(source, error)

    @property
    def item_writes(self) -> int:
        """Items written (derived items, contributions and counter updates; SET NULL excluded)."""
        return self.entries_written + self.contributions_written + self.counter_updates


def apply(batch: Batch, *, out_of_time: Callable[[], bool] = lambda: False) -> Outcome:
    outcome = Outcome()
    _write_entries(list(batch.entries.values()), outcome)
    _apply_contributions(list(batch.contributions.values()), outcome)
    outcome.feed_entries_written = changes_feed.write(batch.feed, outcome.fail)
    _publish(batch.events, outcome)
    _clear_references(list(batch.clears.values()), outcome, out_of_time)
    return outcome


# --- index entries -------------------------------------------------------------------------------------


def _concurrency() -> int:
    """Parallel conditional puts (I/O bound). Off unless configured: moto, which tests and the local
    stack run on, is not safe under concurrent writers."""
    try:
        return max(1, int(os.environ.get("STREAM_WRITE_CONCURRENCY", "1")))
    except ValueError:
        return 1


def _write_entries(entries: list[tuple[IndexEntry, set[str]]], outcome: Outcome) -> None:
    from clientele.store import derived

    def write(entry: IndexEntry) -> bool | BaseException:
        try:
            return derived.put_entry(entry)
        except Exception as exc:  # reported per source record, never for the whole batch
            return exc

    threads = min(_concurrency(), len(entries))
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(write, [entry for entry, _ in entries]))
    else:
        results = [write(entry) for entry, _ in entries]
    for (entry, sources), result in zip(entries, results, strict=True):
        if isinstance(result, BaseException):
            logger.warning("derived item %s %s not written: %s", entry.pk, entry.sk, result)
            outcome.fail(sources, result)
        elif result:
            outcome.entries_written += 1
        else:
            outcome.entries_stale += 1


# --- contributions -------------------------------------------------------------------------------------

Shares = Mapping[Counter, Mapping[str, Decimal]]


@dataclass
class _Plan:
    put: ContributionPut
    deltas: dict[Key, tuple[Counter, dict[str, Decimal]]]
    sources: set[str]


def _without(shares: Shares, moot: set[Key]) -> dict[Counter, Mapping[str, Decimal]]:
    return {counter: amounts for counter, amounts in shares.items() if counter.key not in moot}


def difference(new: Shares, old: Shares) -> dict[Key, tuple[Counter, dict[str, Decimal]]]:
    """Per counter, the amounts to add so that ``old`` shares become ``new`` (zeros dropped)."""
    deltas: dict[Key, tuple[Counter, dict[str, Decimal]]] = {}
    for sign, shares in ((1, new), (-1, old)):
        for counter, amounts in shares.items():
            _, current = deltas.setdefault(counter.key, (counter, {}))
            for name, amount in amounts.items():
                current[name] = current.get(name, Decimal(0)) + sign * Decimal(amount)
    return {k: (counter, {n: a for n, a in amounts.items() if a != 0})
            for k, (counter, amounts) in deltas.items() if any(a != 0 for a in amounts.values())}


def _plans(todo: dict[Key, tuple[Contribution, set[str]]], moot: set[Key], outcome: Outcome) -> list[_Plan]:
    from clientele.store import derived

    stored = derived.read_contributions(list(todo))
    plans = []
    for contribution_key, (contribution, sources) in todo.items():
        found = stored.get(contribution_key)
        if found is not None and found.stamp >= contribution.stamp:
            outcome.contributions_stale += 1  # a replay, or older than what is applied
            continue
        applied = _without(contribution.shares, moot)
        previous = _without(found.shares, moot) if found is not None else {}
        put = ContributionPut(contribution, applied, found.stamp if found is not None else None)
        plans.append(_Plan(put, difference(applied, previous), sources))
    return plans


def _pack(plans: list[_Plan]) -> list[list[_Plan]]:
    """Greedy groups whose contributions plus distinct counters fit one transaction."""
    groups: list[list[_Plan]] = []
    current: list[_Plan] = []
    counters: set[Key] = set()
    for plan in plans:
        wanted = counters | set(plan.deltas)
        if current and len(current) + 1 + len(wanted) > MAX_TRANSACTION_ITEMS:
            groups.append(current)
            current, wanted = [], set(plan.deltas)
        current.append(plan)
        counters = wanted
    if current:
        groups.append(current)
    return groups


def merged_deltas(group: list[_Plan]) -> dict[Counter, dict[str, Decimal]]:
    total: dict[Key, tuple[Counter, dict[str, Decimal]]] = {}
    for plan in group:
        for counter_key, (counter, amounts) in plan.deltas.items():
            _, current = total.setdefault(counter_key, (counter, {}))
            for name, amount in amounts.items():
                current[name] = current.get(name, Decimal(0)) + amount
    return {counter: {n: a for n, a in amounts.items() if a != 0}
            for counter, amounts in total.values() if any(a != 0 for a in amounts.values())}


def _apply_contributions(contributions: list[tuple[Contribution, set[str]]], outcome: Outcome) -> None:
    from clientele.store import derived

    todo = {contribution.key: (contribution, sources) for contribution, sources in contributions}
    moot: set[Key] = set()  # counters that must exist but are gone (a deleted project)
    for _ in range(_CONTRIBUTION_ATTEMPTS):
        if not todo:
            return
        try:
            plans = _plans(todo, moot, outcome)
        except Exception as exc:
            outcome.fail({s for _, sources in todo.values() for s in sources}, exc)
            return
        retry: dict[Key, tuple[Contribution, set[str]]] = {}
        for group in _pack(plans):
            deltas = merged_deltas(group)
            try:
                derived.commit_contributions([plan.put for plan in group], deltas)
            except MissingCounter as exc:
                moot.add(exc.key)
                retry.update({plan.put.contribution.key: (plan.put.contribution, plan.sources) for plan in group})
            except StaleContribution:
                retry.update({plan.put.contribution.key: (plan.put.contribution, plan.sources) for plan in group})
            except Exception as exc:
                logger.warning("contributions not applied: %s", exc)
                outcome.fail({source for plan in group for source in plan.sources}, exc)
            else:
                outcome.transactions += 1
                outcome.contributions_written += len(group)
                outcome.counter_updates += len(deltas)
        todo = retry
    if todo:
        error = RuntimeError("contributions kept changing while applying them")
        outcome.fail({s for _, sources in todo.values() for s in sources}, error)


# --- domain events -------------------------------------------------------------------------------------


def _with_current_emails(events: list[tuple[DomainEvent, str]]) -> list[tuple[str, dict[str, Any]]]:
    from clientele.store import customers

    wanted: dict[str, set[str]] = {}
    for event, _ in events:
        if event.customer_emails_of is not None:
            org, customer_id = event.customer_emails_of
            wanted.setdefault(org, set()).add(customer_id)
    emails: dict[tuple[str, str], list[str]] = {}
    for org, ids in wanted.items():
        for customer_id, customer in customers.get_customers(org, sorted(ids)).items():
            emails[(org, customer_id)] = [str(email) for email in customer.get("emails") or ()]
    prepared = []
    for event, _ in events:
        detail = dict(event.detail)
        if event.customer_emails_of in emails:
            detail["customerEmails"] = emails[event.customer_emails_of]
        prepared.append((event.detail_type, detail))
    return prepared


def _publish(events: list[tuple[DomainEvent, str]], outcome: Outcome) -> None:
    if not events:
        return
    from clientele.events import publisher

    try:
        events = resource_events.with_representations(events)
        failed = publisher.publish(_with_current_emails(events))
    except Exception as exc:
        logger.warning("domain events not published: %s", exc)
        outcome.fail({source for _, source in events}, exc)
        return
    error = RuntimeError("EventBridge refused the event")
    outcome.fail({events[position][1] for position in failed}, error)
    outcome.events_published += len(events) - len(failed)


# --- SET NULL ------------------------------------------------------------------------------------------


def _clear_references(clears: list[tuple[ClearReferences, set[str]]], outcome: Outcome,
                      out_of_time: Callable[[], bool]) -> None:
    if not clears:
        return
    from clientele.services import set_null

    for clear, sources in clears:
        try:
            outcome.references_cleared += set_null.clear_references(clear.org, clear.kind, clear.entry_id,
                                                                    out_of_time=out_of_time)
        except Exception as exc:  # Incomplete included: the record comes back and the fan-out resumes
            logger.warning("SET NULL of %s %s not finished: %s", clear.kind, clear.entry_id, exc)
            outcome.fail(sources, exc)
