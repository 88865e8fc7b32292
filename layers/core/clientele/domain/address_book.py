"""The org-wide address book (SPEC §4.8): flat entries that contacts reference."""

from __future__ import annotations

from clientele.domain.fields import ADDRESS_FIELDS, Address, Echoes, ShortText

__all__ = ["ADDRESS_FIELDS", "AddressEntryFields"]


class AddressEntryFields(Echoes, Address):  # a labelled address
    label: ShortText | None = None
