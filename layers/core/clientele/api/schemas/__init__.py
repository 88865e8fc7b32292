"""Response shapes, for the OpenAPI document and response validation (requests: domain models).

One module per area, and this package only the shared bases: a function imports (and pays at its
cold start for) the shapes of its own area, not all of them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    # Built on first use, not at import: each function uses a few of these shapes, and building all
    # of them cost every cold start ~20 ms (make bench).
    model_config = ConfigDict(defer_build=True)


class Out(Schema):
    model_config = ConfigDict(extra="allow", defer_build=True)


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details, with a stable ``code`` and, for validation, ``errors``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] | None = None
    currentVersion: int | None = None
    # credit_limit_exceeded (SPEC §13): the customer's figures and the order's total, as money.
    creditLimit: str | None = None
    openOrderValue: str | None = None
    orderTotal: str | None = None


class AddressOut(Schema):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
