"""What a service's save or read hands back to its handler: the representation and its version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Saved:
    """The resource as the response shows it, and the version its ``ETag`` carries."""

    body: dict[str, Any]
    version: int
