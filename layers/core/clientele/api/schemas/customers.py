"""Customers as reads return them: the document with its contacts, list pages, matches."""

from __future__ import annotations

from pydantic import Field

from clientele.api.schemas import AddressOut, Out, Schema


class CustomerTypeRef(Schema):
    id: str | None
    name: str | None
    color: str | None


class Contact(Schema):
    id: str
    customerId: str | None
    name: str
    title: str | None
    email: str | None
    phone: str | None
    addressEntryId: str | None
    roles: list[str]
    version: int
    createdAt: str | None
    updatedAt: str | None


class TaxIdOut(Schema):
    scheme: str
    value: str


class CustomerSummary(Out):
    """A customer as lists show it (no contacts)."""

    id: str
    firstName: str | None
    lastName: str | None
    companyName: str | None
    displayName: str
    customerTypeId: str | None
    customerType: CustomerTypeRef
    customerSegmentId: str | None
    customerCategoryId: str | None
    brokerId: str | None
    brokerFeePercent: int | float | None
    parentCustomerId: str | None
    billWithParent: bool
    accountState: str
    accountPriority: str
    emails: list[str]
    phones: list[str]
    email: str | None
    phone: str | None
    billingAddress: AddressOut | None
    shippingAddress: AddressOut | None
    discountRate: int | float | None
    notes: str | None
    currency: str
    paymentTermsId: str | None
    taxIds: list[TaxIdOut]
    taxExempt: bool
    resaleNumber: str | None
    website: str | None
    creditLimit: str | None
    openOrderValue: str | None = Field(
        description="Sum of the totals of the customer's confirmed orders (read-only); null in the children "
                    "list, whose copies do not follow it")
    remoteId: str | None
    version: int
    createdAt: str | None
    updatedAt: str | None
    deletedAt: str | None
    isActive: bool


class Customer(CustomerSummary):
    """The customer document: the customer with its contacts (one ETag covers both)."""

    contacts: list[Contact] | None = None


class CustomerPage(Schema):
    items: list[CustomerSummary]
    nextCursor: str | None


class ContactList(Schema):
    items: list[Contact]
    nextCursor: str | None


class CustomerMatch(Schema):
    customer: Customer
    matchedOn: list[str]


class CustomerMatches(Schema):
    items: list[CustomerMatch]
