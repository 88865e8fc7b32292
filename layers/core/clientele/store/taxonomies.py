"""Taxonomy entries, their list head and their reference guards.

* Uniqueness of names and sort orders is checked against a consistent read of the list and made
  exact by a version check on the list's head item in the same transaction: any concurrent write
  to the list bumps the head and cancels the other.
* A reference guard is sharded (``GUARD_SHARDS`` items per entry) so customer saves that
  reference a popular type do not all contend on one item. A guard exists exactly while its
  entry exists, carries the entry's ``isActive`` and counts the customers (deleted ones too)
  that reference the entry, which makes RESTRICT exact.
"""

from __future__ import annotations

from typing import Any

from clientele.domain.taxonomies import SPECS, Kind
from clientele.errors import ClienteleError, Conflict, NotFound, VersionConflict
from clientele.store import keys
from clientele.store.table import Item, as_int, key, to_item, values
from clientele.store.transactions import Transaction


class ListChanged(Conflict):
    """Another save changed the list between our consistent read and our write (services retry)."""

    def __init__(self) -> None:
        super().__init__("concurrent_change", "The list changed while saving; read it again and retry.")


def _list_changed(_old: Item | None) -> ClienteleError:
    return ListChanged()


def _bump_list_head(tx: Transaction, org: str, kind: Kind, seen_version: int) -> None:
    tx.update(
        key(keys.org_pk(org), keys.taxonomy_list_sk(kind)),
        "SET #v = :next, entity = :entity, kind = :kind",
        condition="attribute_not_exists(PK) OR #v = :seen" if seen_version == 0 else "#v = :seen",
        names={"#v": "version"},
        values=values({":next": seen_version + 1, ":seen": seen_version, ":entity": "taxonomy_list",
                       ":kind": kind}),
        on_fail=_list_changed,
    )


def guard_keys(org: str, kind: Kind, entry_id: str) -> list[dict[str, Any]]:
    return [key(keys.guard_pk(org, kind, entry_id, shard), keys.GUARD_SK)
            for shard in range(keys.GUARD_SHARDS)]


def _entry_exists(_old: Item | None) -> ClienteleError:
    """The new entry's id is taken: only by this request's own earlier attempt (ids are UUIDs chosen
    once per request), whose answer was lost. Read again: the service then finds its entry."""
    return ListChanged()


def add_create_entry(tx: Transaction, org: str, item: Item, list_version: int) -> None:
    kind: Kind = item["kind"]
    tx.put(to_item({"PK": keys.org_pk(org), "SK": keys.taxonomy_sk(kind, item["id"]), **item}),
           condition="attribute_not_exists(PK)", on_fail=_entry_exists)
    _bump_list_head(tx, org, kind, list_version)
    # A type's guards also carry its hierarchy role: a customer save made against a stale role fails.
    guard = {"entity": "guard", "refs": 0, "active": item.get("isActive", True),
             "role": item.get("hierarchyRole")}
    for guard_key in guard_keys(org, kind, item["id"]):
        tx.put({**guard_key, **to_item(guard)})


def create_entry(org: str, item: Item, list_version: int) -> None:
    tx = Transaction()
    add_create_entry(tx, org, item, list_version)
    tx.commit()


def _entry_failure(old: Item | None) -> ClienteleError:
    if old is None:
        return NotFound("No such entry.")
    return VersionConflict(as_int(old.get("version")))


def update_entry(org: str, before: Item, after: Item, expected_version: int, list_version: int,
                 restrict_usage: bool) -> None:
    """Save changed fields; a change of `isActive` reaches every guard; `restrict_usage` makes the
    save conditional on no customer using the entry (hierarchyRole changes), whose new role the
    guards then carry."""
    kind: Kind = before["kind"]
    entry_id = before["id"]
    changed = {name: value for name, value in after.items()
               if before.get(name) != value and name != "version"}
    removed = [name for name in before if name not in after and name not in {"PK", "SK"}]
    tx = Transaction()
    sets = ", ".join(f"#{i} = :{i}" for i in range(len(changed)))
    names = {f"#{i}": name for i, name in enumerate(changed)}
    names["#version"] = "version"
    update = f"SET {sets + ', ' if sets else ''}#version = :next"
    if removed:
        update += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
        names.update({f"#r{i}": name for i, name in enumerate(removed)})
    vals = {f":{i}": value for i, value in enumerate(changed.values())}
    vals.update({":next": expected_version + 1, ":expected": expected_version})
    tx.update(key(keys.org_pk(org), keys.taxonomy_sk(kind, entry_id)), update,
              condition="attribute_exists(PK) AND #version = :expected", names=names, values=values(vals),
              on_fail=_entry_failure)
    _bump_list_head(tx, org, kind, list_version)
    on_guards = (("isActive", "active"), ("hierarchyRole", "role"))
    guard_sets = {attribute: after[name] for name, attribute in on_guards if name in changed}
    if guard_sets or restrict_usage:
        for guard in guard_keys(org, kind, entry_id):
            guard_names = {f"#g{i}": attribute for i, attribute in enumerate(guard_sets)}
            guard_values: dict[str, Any] = {f":g{i}": value for i, value in enumerate(guard_sets.values())}
            if restrict_usage:
                guard_values[":zero"] = 0
            if guard_sets:
                tx.update(guard, "SET " + ", ".join(f"#g{i} = :g{i}" for i in range(len(guard_sets))),
                          condition="refs = :zero" if restrict_usage else None, names=guard_names,
                          values=values(guard_values), on_fail=_in_use(kind))
            else:
                tx.check(guard, "refs = :zero", values=values(guard_values), on_fail=_in_use(kind))
    tx.commit()


def _in_use(kind: Kind) -> Any:
    def failure(_old: Item | None) -> ClienteleError:
        label = SPECS[kind].label
        return Conflict("in_use", f"Customers (deleted ones too) use this {label}; "
                                  f"move them to another {label} first.")

    return failure


def delete_entry(org: str, entry: Item, expected_version: int, list_version: int, restrict: bool) -> None:
    kind: Kind = entry["kind"]
    tx = Transaction()
    tx.delete(key(keys.org_pk(org), keys.taxonomy_sk(kind, entry["id"])),
              condition="attribute_exists(PK) AND #version = :expected", names={"#version": "version"},
              values=values({":expected": expected_version}), on_fail=_entry_failure)
    _bump_list_head(tx, org, kind, list_version)
    for guard in guard_keys(org, kind, entry["id"]):
        if restrict:
            tx.delete(guard, condition="attribute_not_exists(PK) OR refs = :zero",
                      values=values({":zero": 0}), on_fail=_in_use(kind))
        else:
            tx.delete(guard)
    tx.commit()


def reorder(org: str, kind: Kind, entries_in_order: list[Item], list_version: int) -> None:
    """Renumber 0..n-1 in one transaction: n ≤ 99 entries plus the head is within the 100-item limit."""
    tx = Transaction()
    for position, entry in enumerate(entries_in_order):
        current = as_int(entry.get("sortOrder"))
        if current == position:
            continue
        tx.update(key(keys.org_pk(org), keys.taxonomy_sk(kind, entry["id"])),
                  "SET sortOrder = :position, #version = #version + :one",
                  condition="attribute_exists(PK) AND sortOrder = :current",
                  names={"#version": "version"},
                  values=values({":position": position, ":current": current, ":one": 1}),
                  on_fail=_list_changed)
    if len(tx) == 0:
        return
    _bump_list_head(tx, org, kind, list_version)
    tx.commit()
