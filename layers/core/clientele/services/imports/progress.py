"""An import run's progress: counters, the row errors found since the last save, and the checkpoint.

Every save is a checkpoint: the counters, the row errors found since the last save (appended, never
the whole list again) and the caller's ``changes`` (where the next row starts), in one update that is
conditional on the checkpoint before it — of two runs of one import only one carries on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from clientele import clock
from clientele.errors import FieldError
from clientele.store import imports as store
from clientele.store.table import Item, as_int

MAX_STORED_ERRORS = 1000  # the import item stays far below DynamoDB's 400 KB


@dataclass
class Progress:
    total: int = 0
    imported: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # not saved yet
    saved_errors: int = 0
    truncated: bool = False
    checkpoint: int = 0  # saves so far: each is conditional on the one before
    saved_at: float = field(default_factory=time.monotonic)

    @classmethod
    def resumed(cls, record: Item) -> Progress:
        return cls(total=as_int(record.get("rowsTotal")), imported=as_int(record.get("rowsImported")),
                   failed=as_int(record.get("rowsFailed")), saved_errors=len(record.get("errors") or []),
                   truncated=bool(record.get("errorsTruncated")), checkpoint=as_int(record.get("checkpoint")))

    def fail(self, row: int, problems: list[FieldError]) -> None:
        self.failed += 1
        for problem in problems:
            if self.saved_errors + len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append({"row": row, "field": problem.field, "message": problem.message})
            else:
                self.truncated = True

    def due(self, every_seconds: float) -> bool:
        return time.monotonic() - self.saved_at >= every_seconds

    def save(self, org: str, import_id: str, **changes: Any) -> None:
        """Counters, the errors found since the last save and ``changes``, in one conditional update."""
        counters = {"rowsTotal": self.total, "rowsImported": self.imported, "rowsFailed": self.failed,
                    "errorsTruncated": self.truncated, "updatedAt": clock.now_iso(), "checkpoint": self.checkpoint + 1}
        store.update_import(org, import_id, {**counters, **changes}, self.errors, after_checkpoint=self.checkpoint)
        self.checkpoint += 1
        self.saved_errors += len(self.errors)
        self.errors = []
        self.saved_at = time.monotonic()
