"""Contacts of a customer (SPEC §4.4): the request models and the role ⇄ flag mapping."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from clientele.domain.fields import Echoes, Id, Name, ShortText

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



class ContactFields(Echoes):
    """Every writable field, all optional: one model serves POST, PATCH and the entries of PUT."""

    # Echoed and ignored; ``id`` (not excluded here) identifies an entry of a customer document's ``contacts``.
    ECHOED = Echoes.ECHOED | {"customerId"}

    name: Name | None = None
    title: ShortText | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    addressEntryId: Id | None = None
    roles: Annotated[list[Role], Field(max_length=10)] | None = None

    id: Id | None = None  # sent, not excluded: it names the entry to update
    customerId: Any = Field(default=None, exclude=True)


WRITABLE_CONTACT_FIELDS: tuple[str, ...] = tuple(
    name for name in ContactFields.model_fields if name not in ContactFields.ECHOED
)


def roles_of(record: dict[str, Any]) -> list[str]:
    return [role for role, flag in ROLE_FLAGS.items() if record.get(flag)]


def flags_of(roles: list[str] | None) -> dict[str, bool]:
    chosen = set(roles or [])
    return {flag: role in chosen for role, flag in ROLE_FLAGS.items()}
