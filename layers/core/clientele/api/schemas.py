"""Response shapes, for the OpenAPI document and response validation (requests: domain models)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable ``code`` and, for validation, ``errors``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] | None = None
    currentVersion: int | None = None


class AddressOut(BaseModel):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None


class CustomerTypeRef(BaseModel):
    id: str | None
    name: str | None
    color: str | None


class Customer(Out):
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
    remoteId: str | None
    version: int
    createdAt: str | None
    updatedAt: str | None
    deletedAt: str | None
    isActive: bool


class CustomerPage(BaseModel):
    items: list[Customer]
    nextCursor: str | None


class TaxonomyEntry(Out):
    """An entry of /customer-segments or /customer-categories (the shape all four lists share)."""

    id: str
    name: str
    sortOrder: int
    isActive: bool
    createdAt: str | None
    version: int


class CustomerTypeEntry(TaxonomyEntry):
    color: str
    hierarchyRole: str


class BrokerEntry(TaxonomyEntry):
    defaultFeePercent: int | float | None


class TaxonomyList(BaseModel):
    items: list[TaxonomyEntry]


class CustomerTypeList(BaseModel):
    items: list[CustomerTypeEntry]


class BrokerList(BaseModel):
    items: list[BrokerEntry]


class Settings(BaseModel):
    defaultCountry: str
    defaultAreaCode: str | None
    customerIntegrationEnabled: bool
    integrationProvider: str | None
    quickbooksRealmId: str | None
    version: int


class Health(BaseModel):
    status: str
