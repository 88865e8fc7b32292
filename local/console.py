"""The local stack's console: whole lines (request threads and pollers share stdout), short paths."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable

_UUID = re.compile(r"([0-9a-fA-F]{8})-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_console_lock = threading.Lock()


def emit(line: str) -> None:
    """Write one whole line to stdout (request threads and pollers share it)."""
    with _console_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def short_path(path: str) -> str:
    """UUIDs cut to their first 8 characters, so a request line stays readable."""
    return _UUID.sub(lambda match: match.group(1) + "…", path)


def summarise_calls(calls: Iterable[str]) -> str:
    """``['GetItem', 'Query', 'Query']`` → ``3 ddb (GetItem, Query x2)``."""
    counts: dict[str, int] = {}
    for name in calls:
        counts[name] = counts.get(name, 0) + 1
    total = sum(counts.values())
    if not total:
        return "0 ddb"
    names = ", ".join(name if n == 1 else f"{name} x{n}" for name, n in counts.items())
    return f"{total} ddb ({names})"
