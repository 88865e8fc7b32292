"""The customer's timeline (SPEC §4.5): request models and the rules every activity obeys."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from clientele.domain.dates import Instant, IsoDate
from clientele.domain.fields import Echoes, Id, ShortText
from clientele.errors import FieldError

ActivityType = Literal["note", "call", "email", "meeting", "task"]
TaskStatus = Literal["open", "done"]
ACTIVITY_TYPES: tuple[str, ...] = ("note", "call", "email", "meeting", "task")
MAX_ATTENDEES = 50
Body = Annotated[str, StringConstraints(max_length=10_000)]


class ActivityFields(Echoes):
    """Every writable field, all optional: POST checks what is required on the result."""

    ECHOED = Echoes.ECHOED | {"customerId", "completedAt"}

    type: ActivityType | None = None
    occurredAt: Instant | None = None
    title: ShortText | None = None
    body: Body | None = None
    dueDate: IsoDate | None = None
    status: TaskStatus | None = None
    customerProjectId: Id | None = None
    attendees: Annotated[list[Id], Field(max_length=MAX_ATTENDEES)] | None = None

    customerId: Any = Field(default=None, exclude=True)
    completedAt: Any = Field(default=None, exclude=True)


def check_activity(document: dict[str, Any]) -> list[FieldError]:
    """Rules on the whole (merged) activity: what a task needs, what only a task may carry."""
    errors: list[FieldError] = []
    kind = document.get("type")
    if kind is None:
        errors.append(FieldError("type", f"Give the type: one of {', '.join(ACTIVITY_TYPES)}."))
        return errors
    if kind == "task":
        if not document.get("title"):
            errors.append(FieldError("title", "A task needs a title."))
    else:
        if not document.get("body"):
            errors.append(FieldError("body", f"A {kind} needs a body."))
        for field in ("dueDate", "status"):
            if document.get(field) is not None:
                errors.append(FieldError(field, f"Only tasks may have a {field}; this is a {kind}."))
    return errors
