"""Sales orders with their lines and the customer snapshot."""

from __future__ import annotations

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
    customerSnapshot: CustomerSnapshot
    version: int
    createdAt: str | None
    updatedAt: str | None
    confirmedAt: str | None
    cancelledAt: str | None


class SalesOrderPage(Schema):
    items: list[SalesOrder]
    nextCursor: str | None
