"""Entries of the five per-organisation lists, and the lists."""

from __future__ import annotations

from clientele.api.schemas import Out, Schema


class TaxonomyEntry(Out):
    """An entry of /customer-segments or /customer-categories (the shape all five lists share)."""

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


class PaymentTermsEntry(TaxonomyEntry):
    netDays: int


class TaxonomyList(Schema):
    items: list[TaxonomyEntry]


class CustomerTypeList(Schema):
    items: list[CustomerTypeEntry]


class BrokerList(Schema):
    items: list[BrokerEntry]


class PaymentTermsList(Schema):
    items: list[PaymentTermsEntry]
