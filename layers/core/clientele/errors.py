"""Domain errors. Services raise these; the API layer turns each into RFC 9457 problem+json.

Each error carries its HTTP status and a stable machine ``code`` (SPEC §3), so that one
exception handler maps them all and no handler needs its own try/except.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ClienteleError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = {}


class ValidationFailed(ClienteleError):
    status = 422
    code = "validation_error"
    title = "The request is not valid"

    def __init__(self, errors: Iterable[FieldError], detail: str | None = None) -> None:
        self.errors = list(errors)
        fields = ", ".join(dict.fromkeys(e.field for e in self.errors))
        super().__init__(detail or f"Check these fields: {fields}.")
        self.extra = {"errors": [e.as_dict() for e in self.errors]}

    @classmethod
    def of(cls, field: str, message: str) -> ValidationFailed:
        return cls([FieldError(field, message)])


class BadRequest(ClienteleError):
    status = 400
    code = "bad_request"
    title = "Bad request"


class BadCursor(ClienteleError):
    status = 400
    code = "bad_cursor"
    title = "The cursor is not valid"


class CursorExpired(ClienteleError):
    """410: a cursor that points before what is still kept (the changes feed keeps 30 days)."""

    status = 410
    code = "cursor_expired"
    title = "The cursor has expired"


class Unauthorized(ClienteleError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(ClienteleError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(ClienteleError):
    status = 404
    code = "not_found"
    title = "Not found"


class MethodNotAllowed(ClienteleError):
    status = 405
    code = "method_not_allowed"
    title = "Method not allowed"

    def __init__(self, detail: str, allowed: Iterable[str]) -> None:
        super().__init__(detail)
        self.headers = {"Allow": ", ".join(allowed)}


class UnsupportedMediaType(ClienteleError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class PayloadTooLarge(ClienteleError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


class PreconditionRequired(ClienteleError):
    status = 428
    code = "precondition_required"
    title = "If-Match header required"


class VersionConflict(ClienteleError):
    status = 412
    code = "version_conflict"
    title = "The resource has changed"

    def __init__(self, current_version: int | None) -> None:
        super().__init__(
            "The resource was changed by someone else. Read it again and retry with its current ETag.",
            currentVersion=current_version,
        )


class Conflict(ClienteleError):
    """409 with a caller-chosen code (duplicate, in_use, has_children, customer_deleted, ...)."""

    status = 409
    title = "Conflict"

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.conflict_code = code


class CustomerDeleted(Conflict):
    """409 ``customer_deleted``: the one answer of every write that needs a live customer (its document,
    its contacts, activities, projects, orders); ``detail`` says what to do instead."""

    def __init__(self, detail: str = "The customer is deleted; restore it first.") -> None:
        super().__init__("customer_deleted", detail)


class ServiceUnavailable(ClienteleError):
    status = 503
    code = "service_unavailable"
    title = "Temporarily unavailable"

    def __init__(self, detail: str, retry_after_seconds: int = 1) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after_seconds)}


def error_code(error: ClienteleError) -> str:
    return error.conflict_code if isinstance(error, Conflict) else error.code
