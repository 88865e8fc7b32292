"""Customer reports."""

from __future__ import annotations

from clientele.api.schemas import Schema


class ReportGroup(Schema):
    key: str | None
    name: str | None
    color: str | None
    count: int


class CustomerReport(Schema):
    groups: list[ReportGroup]
