"""Contacts of a customer (SPEC §4.4): the request models and the role ⇄ flag mapping."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from clientele.domain.fields import Id, Name, ShortText

Role = Literal["primary", "shipping", "invoicing", "billing", "field"]
# Response order of `roles`, and the stored flag each role is kept as.
ROLE_FLAGS: dict[str, str] = {
    "primary": "isPrimary",
    "shipping": "receivesShipping",
    "invoicing": "receivesInvoices",
    "billing": "receivesBillingCc",
    "field": "isOnSite",
}
MAX_CONTACTS = 50

# Fields a client may echo back from a GET; accepted and ignored (`id` only identifies an entry
# of a customer document's `contacts`).
CONTACT_READ_ONLY = frozenset({"id", "customerId", "version", "createdAt", "updatedAt"})


class ContactFields(BaseModel):
    """Every writable field, all optional: one model serves POST, PATCH and the entries of PUT."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    title: ShortText | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    addressEntryId: Id | None = None
    roles: Annotated[list[Role], Field(max_length=10)] | None = None

    id: Id | None = None
    customerId: Any = Field(default=None, exclude=True)
    version: Any = Field(default=None, exclude=True)
    createdAt: Any = Field(default=None, exclude=True)
    updatedAt: Any = Field(default=None, exclude=True)

    def provided(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set if name not in CONTACT_READ_ONLY}


WRITABLE_CONTACT_FIELDS: tuple[str, ...] = tuple(
    name for name in ContactFields.model_fields if name not in CONTACT_READ_ONLY
)


def roles_of(record: dict[str, Any]) -> list[str]:
    return [role for role, flag in ROLE_FLAGS.items() if record.get(flag)]


def flags_of(roles: list[str] | None) -> dict[str, bool]:
    chosen = set(roles or [])
    return {flag: role in chosen for role, flag in ROLE_FLAGS.items()}
