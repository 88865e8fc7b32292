"""Projects of a customer (SPEC §4.6): request model and date rule."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from clientele.domain.dates import IsoDate
from clientele.domain.fields import Echoes, Name
from clientele.errors import FieldError

ProjectStatus = Literal["planning", "active", "hold", "done"]


class ProjectFields(Echoes):
    # Read-only besides identity and versioning: the rollups the stream processor maintains.
    ECHOED = Echoes.ECHOED | {"customerId", "orderCount", "orderValue", "activityCount"}

    name: Name | None = None
    status: ProjectStatus | None = None
    startDate: IsoDate | None = None
    targetEndDate: IsoDate | None = None
    summary: Annotated[str, StringConstraints(max_length=10_000)] | None = None

    customerId: Any = Field(default=None, exclude=True)
    orderCount: Any = Field(default=None, exclude=True)
    orderValue: Any = Field(default=None, exclude=True)
    activityCount: Any = Field(default=None, exclude=True)


def check_project(document: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    if not document.get("name"):
        errors.append(FieldError("name", "A project needs a name."))
    start, end = document.get("startDate"), document.get("targetEndDate")
    if start and end and end < start:  # YYYY-MM-DD compares as text
        errors.append(FieldError("targetEndDate", "The target end date cannot be before the start date."))
    return errors
