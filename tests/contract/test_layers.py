"""Dependencies point one way (ARCHITECTURE §6): every import between areas of the code is one of the
edges listed in ``LAYERS``; any other edge fails, named by file, line and the edge it would add.

The walk reads the source (no import), so it sees what runs only sometimes as well: imports inside
functions (lazy, for cold start), under ``if TYPE_CHECKING:``, and ``import_module("…")`` or
``__import__("…")`` with a literal name. Handlers loaded by a name read from template.yaml (the local
stack) are not edges of the code and are not seen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.contract.sources import TREES, Source, all_sources, module_names, parse

# The foundation: small modules every layer may use; they import nothing of each other but config.
FOUNDATION = frozenset({"clientele", "clientele.errors", "clientele.clock", "clientele.config",
                        "clientele.retries", "clientele.aws", "clientele.observability"})
CORE = FOUNDATION | {"clientele.cursors", "clientele.domain", "clientele.store", "clientele.events",
                     "clientele.integrations", "clientele.services", "clientele.api", "clientele.streams"}

# Area → the areas it may import (besides itself). Lower layers never appear on the right of a
# higher one's row the other way round: domain ← store ← services ← api / streams ← functions, with
# local/, bench/ and tests/ on top. A layer may skip the ones between it and a lower one.
LAYERS: dict[str, frozenset[str]] = {
    # Foundation: errors, the clock, configuration from the environment, retry timing, AWS clients.
    "clientele": frozenset(),
    "clientele.errors": frozenset(),
    "clientele.clock": frozenset(),
    "clientele.config": frozenset(),
    "clientele.retries": frozenset(),
    "clientele.aws": frozenset({"clientele.config"}),
    # Structured logs and EMF metrics (Powertools): every entry point and job counts through it.
    "clientele.observability": frozenset(),
    # Signed list cursors: services make them from store positions, so they sit below both.
    "clientele.cursors": frozenset({"clientele.config", "clientele.errors"}),
    # Rules and shapes of the product, and the table of reference fields; no I/O.
    "clientele.domain": frozenset({"clientele.errors", "clientele.clock"}),
    # The table: keys, items, transactions, derived writes.
    "clientele.store": FOUNDATION | {"clientele.domain"},
    # Outbound edges beside the store: the event bus and the QuickBooks client.
    "clientele.events": FOUNDATION | {"clientele.domain"},
    "clientele.integrations": FOUNDATION | {"clientele.domain"},
    # Use cases over store, events and integrations.
    "clientele.services": FOUNDATION | {"clientele.cursors", "clientele.domain", "clientele.store",
                                        "clientele.events", "clientele.integrations"},
    # HTTP: auth, problems, response shapes, idempotency records (kept in the table, so store).
    "clientele.api": FOUNDATION | {"clientele.cursors", "clientele.domain", "clientele.store", "clientele.services"},
    # The stream processor: projectors, the writer (the SET NULL fan-out is a service it calls).
    "clientele.streams": FOUNDATION | {"clientele.domain", "clientele.store", "clientele.events",
                                       "clientele.services"},
    # Handlers are a table of contents: HTTP or stream plumbing plus a service call, never the table.
    "functions": FOUNDATION | {"clientele.domain", "clientele.services", "clientele.api", "clientele.streams"},
    # On top: the local stack runs the handlers; the bench drives the local stack; tests reach everything.
    "local": CORE | {"functions"},
    "bench": CORE | {"functions", "local"},
    "tests": CORE | {"functions", "local", "bench"},
}


@dataclass(frozen=True)
class Edge:
    source: Source
    line: int
    target: str  # the imported module, as far as it is a first-party module

    @property
    def from_area(self) -> str:
        return area_of(self.source.module)

    @property
    def to_area(self) -> str:
        return area_of(self.target)

    def __str__(self) -> str:
        return (f"{self.source.shown}:{self.line} imports {self.target}: "
                f"{self.from_area} -> {self.to_area} is not an allowed edge")


def area_of(module: str) -> str:
    """``clientele.store.keys`` → ``clientele.store``; ``clientele.aws`` stays; ``functions.x.y`` → ``functions``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "clientele" else parts[0]


def _absolute(source: Source, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = source.module.split(".") if source.is_package else source.module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _targets(source: Source, node: ast.AST, known: frozenset[str]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        module = _absolute(source, node)
        for alias in node.names:  # ``from clientele import aws`` imports the module clientele.aws
            yield f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
    elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
            yield node.args[0].value


def edges(source: Source, known: frozenset[str]) -> Iterator[Edge]:
    """Every import of a first-party module from another area, with its line."""
    for node in ast.walk(source.tree):
        for target in _targets(source, node, known):
            if target.split(".")[0] in TREES and area_of(target) != area_of(source.module):
                yield Edge(source, getattr(node, "lineno", 0), target)


def violations(sources: tuple[Source, ...], known: frozenset[str]) -> list[str]:
    """One line per forbidden (file, line, module), however many names the import brings in."""
    return list(dict.fromkeys(str(edge) for source in sources for edge in edges(source, known)
                              if edge.to_area not in LAYERS.get(edge.from_area, frozenset())))


# --- the tree ------------------------------------------------------------------------------------------


def test_every_module_belongs_to_an_area_with_a_row_in_the_table() -> None:
    unplaced = sorted({f"{area_of(source.module)} ({source.shown})" for source in all_sources()
                       if area_of(source.module) not in LAYERS})
    assert not unplaced, "areas without a row in LAYERS (decide where they sit):\n" + "\n".join(unplaced)


def test_every_import_between_areas_is_an_allowed_edge() -> None:
    found = violations(all_sources(), module_names())
    assert not found, "imports against the layers (ARCHITECTURE §6):\n" + "\n".join(found)


def test_no_area_imports_an_area_that_imports_it_back() -> None:
    """The table itself points one way: no two areas may import each other, directly or round a circle."""

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(step == goal or (step not in seen and reaches(step, goal, seen | {step}))
                   for step in LAYERS.get(start, frozenset()))

    circles = sorted(area for area in LAYERS if reaches(area, area))
    assert not circles, f"areas on an import circle in LAYERS: {circles}"


# --- the walk sees every kind of import (so the test above can fail) -----------------------------------


@pytest.mark.parametrize(("code", "target"), [
    ("from clientele.streams.projectors import project\n", "clientele.streams.projectors"),
    ("import clientele.streams.writer\n", "clientele.streams.writer"),
    ("from clientele import streams\n", "clientele.streams"),
    ("def lazy() -> None:\n    from clientele.streams import writer\n", "clientele.streams.writer"),
    ("import importlib\nimportlib.import_module('clientele.streams.writer')\n", "clientele.streams.writer"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from clientele.streams.writes import Write\n",
     "clientele.streams.writes"),
    ("from ..streams import writer\n", "clientele.streams.writer"),
], ids=["from", "import", "from-package", "lazy", "import_module", "type-checking", "relative"])
def test_an_upward_import_from_the_store_is_reported_with_file_line_and_edge(code: str, target: str) -> None:
    planted = parse(TREES["clientele"] / "store" / "planted.py", code)

    found = violations((planted,), module_names())

    assert found == [f"layers/core/clientele/store/planted.py:{code.count(chr(10))} imports {target}: "
                     "clientele.store -> clientele.streams is not an allowed edge"]


def test_a_downward_import_is_not_reported() -> None:
    planted = parse(TREES["clientele"] / "services" / "planted.py", "from clientele.store import keys\n")

    assert violations((planted,), module_names()) == []
