"""Field types and text cleaning shared by the request models of every document.

A module of their own so that a model needing only an id, a name or a percentage (sales orders,
activities, projects, address book, taxonomies) does not import the customer models, and so that
every function does not pay for building them at its cold start (``make bench``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from clientele.domain.countries import MAX_COUNTRY_LENGTH

Name = Annotated[str, StringConstraints(max_length=255)]
ShortText = Annotated[str, StringConstraints(max_length=255)]
Id = Annotated[str, StringConstraints(max_length=64)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4, allow_inf_nan=False)]
# Money: at most two decimals (more is 422), never negative (SPEC §3).
Money = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2, allow_inf_nan=False)]


def clean_text(value: str | None) -> str | None:
    """Surrounding whitespace off; blank is absent (``None``)."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


# A postal address: a customer's billing and shipping address, an address-book entry. (No docstring:
# it would become the schema's description in the committed OpenAPI document.)
class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: ShortText | None = None
    line2: ShortText | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    postcode: Annotated[str, StringConstraints(max_length=32)] | None = None
    country: Annotated[str, StringConstraints(max_length=MAX_COUNTRY_LENGTH)] | None = None


ADDRESS_FIELDS: tuple[str, ...] = tuple(Address.model_fields)


class Echoes(BaseModel):
    """A request model that accepts the read-only fields a client echoes back from a GET, and ignores
    them: a client may send back what it read. A model adds its own read-only fields (declared as
    these are) and names them in ``ECHOED``. (A subclass does not inherit this docstring as its
    OpenAPI description: Python does not inherit ``__doc__``.)"""

    model_config = ConfigDict(extra="forbid")
    ECHOED: ClassVar[frozenset[str]] = frozenset({"id", "version", "createdAt", "updatedAt"})

    id: Any = Field(default=None, exclude=True)
    version: Any = Field(default=None, exclude=True)
    createdAt: Any = Field(default=None, exclude=True)
    updatedAt: Any = Field(default=None, exclude=True)

    def provided(self) -> dict[str, Any]:
        """The writable fields the client sent (a PATCH changes exactly these)."""
        return {name: getattr(self, name) for name in self.model_fields_set if name not in self.ECHOED}
