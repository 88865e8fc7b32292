"""The one UpdateExpression shape saves use: SET the document's fields and the next version, REMOVE
the fields that became null. Never a whole Put, so counters kept on the item survive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def set_fields(before: Mapping[str, Any], attributes: Mapping[str, Any], next_version: int,
               always_remove: frozenset[str] = frozenset()) -> tuple[str, dict[str, str], dict[str, Any]]:
    """``(UpdateExpression, names, plain values)``; ``#v`` names ``version``; add ``:expected`` yourself."""
    to_set = {name: value for name, value in attributes.items() if value is not None}
    to_remove = [name for name, value in attributes.items()
                 if value is None and (name in before or name in always_remove)]
    names = {f"#a{i}": name for i, name in enumerate(to_set)}
    vals: dict[str, Any] = {f":a{i}": value for i, value in enumerate(to_set.values())}
    update = "SET " + ", ".join([f"#a{i} = :a{i}" for i in range(len(to_set))] + ["#v = :next"])
    if to_remove:
        names.update({f"#r{i}": name for i, name in enumerate(to_remove)})
        update += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(to_remove)))
    names["#v"] = "version"
    vals[":next"] = next_version
    return update, names, vals
