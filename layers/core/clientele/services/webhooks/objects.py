"""What a change looks like to a webhook receiver: the resource as ``GET`` shows it after the change
(``data.object``) and the earlier values of what changed (``data.previous``), both from the stream's images
presented by the very functions the API answers with.

A customer's object is the customer without ``contacts``: contacts have events of their own, and the
stream's image of a customer holds no contacts, so embedding the contacts read later would pair a
version with a state it never had (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from clientele.domain.previous_values import previous_values
from clientele.store.catalog import Catalog

Image = Mapping[str, Any]
Presenter = Callable[[Image], dict[str, Any]]


class Catalogs:
    """The org catalogs one stream batch needs (customer types' names and colours, references that still
    exist), each read once, consistently, on first use."""

    def __init__(self) -> None:
        self._loaded: dict[str, Catalog] = {}

    def __getitem__(self, org: str) -> Catalog:
        if org not in self._loaded:
            from clientele.store.catalog import load_catalog

            self._loaded[org] = load_catalog(org)
        return self._loaded[org]


def presenter(entity: str, org: str, catalogs: Catalogs) -> Presenter:
    if entity == "customer":
        from clientele.services.customers.records import present as present_customer

        catalog = catalogs[org]
        return lambda image: present_customer(dict(image), catalog)
    if entity == "contact":
        from clientele.services.contacts import present as present_contact

        return lambda image: present_contact(dict(image))
    if entity == "sales_order":
        from clientele.services.sales_orders import present as present_order

        return lambda image: present_order(dict(image))
    raise ValueError(f"no representation for {entity!r}")


def describe(entity: str, org: str, old: Image | None, new: Image | None,
             catalogs: Catalogs) -> tuple[dict[str, Any], dict[str, Any]]:
    """(object, previous): after a removal the object is the resource as it was last shown."""
    present = presenter(entity, org, catalogs)
    if new is None:
        assert old is not None
        return present(old), {}
    after = present(new)
    if new.get("erasedAt") and not (old or {}).get("erasedAt"):
        return after, {}  # an erasure (SPEC §9): the values it removed go to no receiver
    return after, previous_values(present(old) if old is not None else None, after)
