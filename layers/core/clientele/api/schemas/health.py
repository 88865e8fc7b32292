"""The health check."""

from __future__ import annotations

from clientele.api.schemas import Schema


class Health(Schema):
    status: str
