"""Field types and text cleaning shared by the request models of every document.

A module of their own so that a model needing only an id, a name or a percentage (sales orders,
activities, projects, address book, taxonomies) does not import the customer models, and so that
every function does not pay for building them at its cold start (``make bench``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

Name = Annotated[str, StringConstraints(max_length=255)]
ShortText = Annotated[str, StringConstraints(max_length=255)]
Id = Annotated[str, StringConstraints(max_length=64)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4, allow_inf_nan=False)]


def clean_text(value: str | None) -> str | None:
    """Surrounding whitespace off; blank is absent (``None``)."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None
