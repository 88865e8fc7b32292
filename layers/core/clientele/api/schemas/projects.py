"""Customer projects with their order rollups."""

from __future__ import annotations

from clientele.api.schemas import Schema


class Project(Schema):
    id: str
    customerId: str | None
    name: str
    status: str
    startDate: str | None
    targetEndDate: str | None
    summary: str | None
    orderCount: int
    orderValue: str
    activityCount: int
    version: int
    createdAt: str | None
    updatedAt: str | None


class ProjectPage(Schema):
    items: list[Project]
    nextCursor: str | None
