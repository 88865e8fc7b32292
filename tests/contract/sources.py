"""The project's own Python modules, read as source (no import): what the layer and key contract
tests walk. One place decides which trees count and how a file maps to its dotted module name."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER_ROOT = ROOT / "layers" / "core"  # the Lambda layer: ``clientele`` is imported from here
# Trees that hold first-party code; the first element of a module name says which one it is in.
TREES: dict[str, Path] = {
    "clientele": LAYER_ROOT / "clientele",
    "functions": ROOT / "functions",
    "local": ROOT / "local",
    "bench": ROOT / "bench",
    "tests": ROOT / "tests",
}


@dataclass(frozen=True)
class Source:
    path: Path
    module: str  # dotted name, ``clientele.store.keys``; a package's ``__init__`` is the package
    tree: ast.Module

    @property
    def shown(self) -> str:
        return str(self.path.relative_to(ROOT))

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def module_name(path: Path) -> str:
    base = LAYER_ROOT if path.is_relative_to(LAYER_ROOT) else ROOT
    parts = path.relative_to(base).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parse(path: Path, text: str | None = None) -> Source:
    source = text if text is not None else path.read_text(encoding="utf-8")
    return Source(path, module_name(path), ast.parse(source, filename=str(path)))


@cache
def all_sources() -> tuple[Source, ...]:
    return tuple(parse(path) for tree in TREES.values() for path in sorted(tree.rglob("*.py")))


@cache
def module_names() -> frozenset[str]:
    return frozenset(source.module for source in all_sources())


def docstrings(tree: ast.AST) -> Iterator[ast.Constant]:
    """The docstring nodes of a module, its classes and functions (prose, not code)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value,
                                                                                                     str):
                yield first.value
