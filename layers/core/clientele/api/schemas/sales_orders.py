"""Sales orders with their lines and the customer snapshot."""

from __future__ import annotations

from pydantic import Field

from clientele.api.schemas import AddressOut, Schema


class SalesOrderLine(Schema):
    description: str
    quantity: int | float
    unitPrice: str
    amount: str


class CustomerSnapshot(Schema):
    displayName: str
    emails: list[str]
    phones: list[str]
    billingAddress: AddressOut | None
    shippingAddress: AddressOut | None


class PaymentTermsCopy(Schema):
    id: str | None
    name: str | None
    netDays: int


class CreditLimitOverride(Schema):
    by: str = Field(description="The admin (token subject) who confirmed over the credit limit")
    at: str


class SalesOrder(Schema):
    id: str
    number: str
    customerId: str
    customerProjectId: str | None
    status: str
    lines: list[SalesOrderLine]
    subtotal: str
    discountRate: int | float | None
    discountAmount: str
    total: str
    brokerId: str | None
    brokerFeePercent: int | float | None
    currency: str | None = Field(description="The customer's currency when the order was created (ISO 4217)")
    paymentTerms: PaymentTermsCopy | None = Field(
        description="The customer's payment terms when the order was created, kept as they were then")
    creditLimitOverride: CreditLimitOverride | None = Field(
        description="Set when an admin confirmed the order with overrideCreditLimit: true")
    customerSnapshot: CustomerSnapshot
    version: int
    createdAt: str | None
    updatedAt: str | None
    confirmedAt: str | None
    cancelledAt: str | None


class SalesOrderPage(Schema):
    items: list[SalesOrder]
    nextCursor: str | None
