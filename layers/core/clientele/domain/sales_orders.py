"""Sales orders (SPEC §4.7): request models, exact line and discount arithmetic, status rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from clientele.domain.fields import Id, Money, Percent
from clientele.domain.money import round_cents

OrderStatus = Literal["draft", "confirmed", "cancelled"]
MAX_LINES = 200  # SPEC §7.1
# Quantity: a decimal with at most four places (money: clientele.domain.fields.Money).
Quantity = Annotated[Decimal, Field(gt=0, le=Decimal("1000000000"), decimal_places=4, allow_inf_nan=False)]

# Where an order may go from each status (staying put is always allowed).
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"draft", "confirmed", "cancelled"}),
    "confirmed": frozenset({"confirmed", "cancelled"}),
    "cancelled": frozenset({"cancelled"}),
}
# Fields that change only while the order is a draft.
DRAFT_ONLY = ("lines", "brokerId", "brokerFeePercent")
# Fields a client may echo back from a GET; accepted and ignored.
ORDER_READ_ONLY = frozenset({
    "id", "number", "subtotal", "discountRate", "discountAmount", "total", "customerSnapshot", "version",
    "createdAt", "updatedAt", "confirmedAt", "cancelledAt", "currency", "paymentTerms", "creditLimitOverride",
})


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    quantity: Quantity
    unitPrice: Money
    amount: Any = Field(default=None, exclude=True)  # computed; echoed back from a GET and ignored


Lines = Annotated[list[OrderLine], Field(max_length=MAX_LINES)]


class _Echoed(BaseModel):
    """Read-only fields a client may send back unchanged (ignored)."""

    id: Any = Field(default=None, exclude=True)
    number: Any = Field(default=None, exclude=True)
    subtotal: Any = Field(default=None, exclude=True)
    discountRate: Any = Field(default=None, exclude=True)
    discountAmount: Any = Field(default=None, exclude=True)
    total: Any = Field(default=None, exclude=True)
    customerSnapshot: Any = Field(default=None, exclude=True)
    version: Any = Field(default=None, exclude=True)
    createdAt: Any = Field(default=None, exclude=True)
    updatedAt: Any = Field(default=None, exclude=True)
    confirmedAt: Any = Field(default=None, exclude=True)
    cancelledAt: Any = Field(default=None, exclude=True)
    currency: Any = Field(default=None, exclude=True)
    paymentTerms: Any = Field(default=None, exclude=True)
    creditLimitOverride: Any = Field(default=None, exclude=True)

    def provided(self) -> dict[str, Any]:
        """The writable fields the client sent."""
        return {name: getattr(self, name) for name in self.model_fields_set if name not in ORDER_READ_ONLY}


class SalesOrderCreate(_Echoed):
    model_config = ConfigDict(extra="forbid")

    customerId: Id
    customerProjectId: Id | None = None
    status: Literal["draft", "confirmed"] | None = None
    lines: Lines = Field(default_factory=list)
    brokerId: Id | None = None
    brokerFeePercent: Percent | None = None
    # An admin confirms over the customer's credit limit (SPEC §13); read only when this write confirms.
    overrideCreditLimit: StrictBool | None = None


class SalesOrderPatch(_Echoed):
    model_config = ConfigDict(extra="forbid")

    customerId: Id | None = None  # must equal the order's own (an order never moves to another customer)
    customerProjectId: Id | None = None
    status: OrderStatus | None = None
    lines: Lines | None = None
    brokerId: Id | None = None
    brokerFeePercent: Percent | None = None
    overrideCreditLimit: StrictBool | None = None


@dataclass(frozen=True)
class Totals:
    lines: list[dict[str, Any]]  # stored lines, each with its rounded ``amount``
    subtotal: Decimal
    discount_amount: Decimal
    total: Decimal


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """``quantity * unitPrice`` rounded half-up to the cent."""
    return round_cents(quantity * unit_price)


def compute_totals(lines: Iterable[Mapping[str, Any]], discount_rate: Decimal | None) -> Totals:
    """Line amounts, subtotal, ``discountAmount = subtotal * rate / 100`` (half-up) and total."""
    stored = []
    subtotal = Decimal("0.00")
    for line in lines:
        quantity, unit_price = Decimal(line["quantity"]), Decimal(line["unitPrice"])
        amount = line_amount(quantity, unit_price)
        stored.append({"description": line["description"], "quantity": quantity, "unitPrice": unit_price,
                       "amount": amount})
        subtotal += amount
    rate = discount_rate or Decimal(0)
    discount = round_cents(subtotal * rate / Decimal(100))
    return Totals(stored, round_cents(subtotal), discount, round_cents(subtotal - discount))


def can_move(current: str, wanted: str) -> bool:
    return wanted in TRANSITIONS.get(current, frozenset())


def order_number(sequence: int) -> str:
    """``SO-000123``: six digits at least, more once an org passes 999,999 orders."""
    return f"SO-{sequence:06d}"


def contributes_to_rollups(status: str | None) -> bool:
    """Project rollups count the orders that are not cancelled (SPEC §4.6)."""
    return status != "cancelled"
