"""Response shapes, for the OpenAPI document and response validation (requests: domain models)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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


class AddressOut(Schema):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None


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


class Customer(CustomerSummary):
    """The customer document: the customer with its contacts (one ETag covers both)."""

    contacts: list[Contact] | None = None


class CustomerPage(Schema):
    items: list[CustomerSummary]
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


class TaxonomyList(Schema):
    items: list[TaxonomyEntry]


class CustomerTypeList(Schema):
    items: list[CustomerTypeEntry]


class BrokerList(Schema):
    items: list[BrokerEntry]


class Settings(Schema):
    defaultCountry: str
    defaultAreaCode: str | None
    customerIntegrationEnabled: bool
    integrationProvider: str | None
    quickbooksRealmId: str | None
    version: int


class Health(Schema):
    status: str


class ContactList(Schema):
    items: list[Contact]
    nextCursor: str | None


class Activity(Schema):
    id: str
    customerId: str | None
    type: str
    occurredAt: str
    title: str | None
    body: str | None
    dueDate: str | None
    status: str | None
    completedAt: str | None
    customerProjectId: str | None
    attendees: list[str]
    version: int
    createdAt: str | None
    updatedAt: str | None


class ActivityPage(Schema):
    items: list[Activity]
    nextCursor: str | None


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


class AddressEntry(Schema):
    id: str
    label: str
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postcode: str | None
    country: str | None
    version: int
    createdAt: str | None
    updatedAt: str | None


class AddressEntryPage(Schema):
    items: list[AddressEntry]
    nextCursor: str | None


# --- sales orders, derived reads and reports (issue 4) ----------------------------------------------


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


class CustomerMatch(Schema):
    customer: Customer
    matchedOn: list[str]


class CustomerMatches(Schema):
    items: list[CustomerMatch]


class ReportGroup(Schema):
    key: str | None
    name: str | None
    color: str | None
    count: int


class CustomerReport(Schema):
    groups: list[ReportGroup]


# --- QuickBooks sync progress ------------------------------------------------------------------------


class SyncCounts(Schema):
    fetched: int
    created: int
    updated: int
    unchanged: int
    deactivated: int
    failed: int


class SyncRowError(Schema):
    remoteId: str
    message: str


class QuickBooksSyncStatus(Schema):
    """The QuickBooks sync's last recorded state (as the job stores it) and whether a run holds the lease."""

    status: str = Field(description="never_run, running, continuing, completed, completed_with_errors, "
                        "failed, or interrupted (the last run ended without recording its outcome)")
    running: bool = Field(description="A run holds the org's sync lease right now")
    mode: str | None = Field(description="cdc, full or ids (webhook-named customers)")
    changedSince: str | None = Field(description="The watermark: the next CDC run asks for changes since then")
    lastRunAt: str | None
    lastSuccessAt: str | None
    counts: SyncCounts | None = Field(description="The last run's counts (null before the first run)")
    errors: list[SyncRowError] = Field(description="The first rows the last run could not sync")
    error: str | None = Field(description="Why the last run failed (status failed)")
    fullResyncRequested: bool = Field(
        description="A full resync was asked for while a run held the lease; it starts when that run ends")
    integrationEnabled: bool = Field(
        description="customerIntegrationEnabled with integrationProvider quickbooks and a quickbooksRealmId")


class SyncRequested(Schema):
    status: str
