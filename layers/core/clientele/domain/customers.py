"""Customer documents: the request models, the normalised record and the hierarchy rules."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StringConstraints

from clientele.domain.contacts import MAX_CONTACTS, ContactFields
from clientele.domain.countries import normalise_country
from clientele.domain.emails import MAX_ENTRIES
from clientele.domain.fields import Address, Echoes, Id, Money, Name, Percent, clean_text
from clientele.domain.tax_ids import TaxIds
from clientele.domain.websites import MAX_WEBSITE_LENGTH
from clientele.errors import FieldError

AccountState = Literal["active", "growth", "at_risk", "former"]
AccountPriority = Literal["strategic", "high", "standard", "low"]
ACCOUNT_STATES: tuple[str, ...] = ("active", "growth", "at_risk", "former")
ACCOUNT_PRIORITIES: tuple[str, ...] = ("strategic", "high", "standard", "low")
MAX_DEPTH = 10

# A list (at most MAX_ENTRIES, stated as maxItems in the document) or one comma-separated string.
ContactList = (Annotated[list[Annotated[str, StringConstraints(max_length=320)]], Field(max_length=MAX_ENTRIES)]
               | Annotated[str, StringConstraints(max_length=8000)])


class CustomerFields(Echoes):
    """Every writable field; all optional so one model serves POST, PUT and PATCH."""

    # Echoed back from a GET (PUT of the whole document) and ignored; and ``contacts``, not a column of
    # the customer item: the contacts are items of their own, reconciled on save.
    ECHOED = Echoes.ECHOED | {"displayName", "customerType", "email", "phone", "deletedAt", "isActive",
                              "remoteId", "contacts", "openOrderValue"}

    firstName: Name | None = None
    lastName: Name | None = None
    companyName: Name | None = None
    customerTypeId: Id | None = None
    customerSegmentId: Id | None = None
    customerCategoryId: Id | None = None
    brokerId: Id | None = None
    brokerFeePercent: Percent | None = None
    parentCustomerId: Id | None = None
    # A sub-customer invoiced through its parent (QuickBooks BillWithParent); needs a parent.
    billWithParent: StrictBool | None = None
    accountState: AccountState | None = None
    accountPriority: AccountPriority | None = None
    emails: ContactList | None = None
    phones: ContactList | None = None
    billingAddress: Address | None = None
    shippingAddress: Address | None = None
    discountRate: Percent | None = None
    notes: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    # Commercial fields (SPEC §13; rules in domain/commercial.py). currency: ISO 4217, the org's
    # defaultCurrency when omitted, fixed once the customer has orders.
    currency: Annotated[str, StringConstraints(max_length=8)] | None = None
    paymentTermsId: Id | None = None
    taxIds: TaxIds | None = None
    taxExempt: StrictBool | None = None
    resaleNumber: Annotated[str, StringConstraints(max_length=64)] | None = None
    website: Annotated[str, StringConstraints(max_length=MAX_WEBSITE_LENGTH)] | None = None
    creditLimit: Money | None = None
    # The customer's whole contact list (reconcile on save); omitted = contacts stay as they are.
    contacts: Annotated[list[ContactFields], Field(max_length=MAX_CONTACTS)] | None = None

    # Read-only fields echoed back by clients are accepted and ignored (see ECHOED).
    displayName: Any = Field(default=None, exclude=True)
    customerType: Any = Field(default=None, exclude=True)
    email: Any = Field(default=None, exclude=True)
    phone: Any = Field(default=None, exclude=True)
    deletedAt: Any = Field(default=None, exclude=True)
    isActive: Any = Field(default=None, exclude=True)
    remoteId: Any = Field(default=None, exclude=True)
    openOrderValue: Any = Field(default=None, exclude=True)

    def sends_contacts(self) -> bool:
        return "contacts" in self.model_fields_set


WRITABLE_FIELDS: tuple[str, ...] = tuple(name for name in CustomerFields.model_fields if name not in CustomerFields.ECHOED)
OPTIONAL_DEFAULTS: dict[str, Any] = {"accountState": "active", "accountPriority": "standard"}


def normalise_address(value: Address | dict[str, Any] | None, field: str) -> tuple[dict[str, str] | None, list[FieldError]]:
    if value is None:
        return None, []
    data = value.model_dump() if isinstance(value, Address) else dict(value)
    cleaned = {name: text for name, raw in data.items() if (text := clean_text(raw)) is not None}
    errors: list[FieldError] = []
    if "country" in cleaned:
        country = normalise_country(cleaned["country"])
        if country is None:
            errors.append(FieldError(f"{field}.country", "Use an ISO 3166-1 alpha-2 code such as US or KN."))
        else:
            cleaned["country"] = country
    return (cleaned or None), errors


def check_hierarchy(
    *,
    customer_id: str,
    role: str,
    parent_id: str | None,
    parent_role: str | None,
    ancestor_ids: list[str],
    subtree_height: int,
    live_member_children: int,
) -> list[FieldError]:
    """Rules of SPEC §4.3 for a customer of ``role`` under ``parent_id`` whose own ancestors (from
    the parent itself upwards) are ``ancestor_ids``; ``subtree_height`` counts levels below it."""
    errors: list[FieldError] = []
    field = "parentCustomerId"
    if role == "purchaser" and parent_id:
        errors.append(FieldError(field, "A customer whose type is a purchaser cannot have a parent."))
    if role == "member" and not parent_id:
        errors.append(FieldError(field, "A customer whose type is a member needs a parent purchaser."))
    if role == "member" and parent_id and parent_role != "purchaser":
        errors.append(FieldError(field, "A member's parent must be a customer whose type is a purchaser."))
    if parent_id and (parent_id == customer_id or customer_id in ancestor_ids):
        errors.append(FieldError(field, "A customer cannot be its own ancestor."))
    elif parent_id and len(ancestor_ids) + 1 + subtree_height > MAX_DEPTH:
        errors.append(FieldError(field, f"The hierarchy would be deeper than {MAX_DEPTH} levels."))
    if role != "purchaser" and live_member_children > 0:
        errors.append(FieldError("customerTypeId", "This customer has member children, so its type must stay a purchaser."))
    return errors
