"""The org-wide address book (SPEC §4.8): flat entries that contacts reference."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from clientele.domain.countries import MAX_COUNTRY_LENGTH
from clientele.domain.fields import ShortText

ADDRESS_READ_ONLY = frozenset({"id", "version", "createdAt", "updatedAt"})
ADDRESS_FIELDS: tuple[str, ...] = ("line1", "line2", "city", "region", "postcode", "country")


class AddressEntryFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: ShortText | None = None
    line1: ShortText | None = None
    line2: ShortText | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    postcode: Annotated[str, StringConstraints(max_length=32)] | None = None
    country: Annotated[str, StringConstraints(max_length=MAX_COUNTRY_LENGTH)] | None = None

    id: Any = Field(default=None, exclude=True)
    version: Any = Field(default=None, exclude=True)
    createdAt: Any = Field(default=None, exclude=True)
    updatedAt: Any = Field(default=None, exclude=True)

    def provided(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set if name not in ADDRESS_READ_ONLY}
