"""One customer save path (ARCHITECTURE §6): only ``services.customers.write`` writes a customer document.

Every other writer — POST, PUT, PATCH, the upsert by remote id, the CSV import, the QuickBooks sync —
plans its save with ``services.customers.plan`` and commits it there; a module that called the store's
customer writes itself would be a second save path with its own rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.joinpath("layers", "core", "clientele").rglob("*.py"), *ROOT.joinpath("functions").rglob("*.py")]
WRITES = {"create_customer", "update_customer", "create_customer_with_remote_id"}
WRITER = ROOT / "layers" / "core" / "clientele" / "services" / "customers" / "write.py"
STORE = ROOT / "layers" / "core" / "clientele" / "store"


def _calls_to_customer_writes(source: Path) -> list[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    return [f"{source.relative_to(ROOT)}:{node.lineno} {node.func.attr}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES]


def test_only_the_writer_calls_the_store_s_customer_writes() -> None:
    # The store composes its own transactions (the remote-id marker, then the customer), so it may call itself.
    outside = [call for source in SOURCES if source != WRITER and STORE not in source.parents
               for call in _calls_to_customer_writes(source)]
    assert outside == []


def test_the_writer_is_found_calling_them() -> None:
    """The check above would pass vacuously if the writes were renamed: the writer must be seen using them."""
    assert {call.rsplit(" ", 1)[1] for call in _calls_to_customer_writes(WRITER)} == WRITES
