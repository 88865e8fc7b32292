"""The organisation partition (``PK = ORG#<org>``): settings, the five taxonomy lists and their
head items. One consistent Query reads it all; services cache the result per container."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clientele import aws
from clientele.domain.currencies import DEFAULT_CURRENCY
from clientele.domain.names import fold
from clientele.domain.references import KINDS, Kind
from clientele.domain.settings import OrgSettings
from clientele.store import keys
from clientele.store.table import Item, as_int, from_item, table_name


@dataclass
class Catalog:
    """Everything an org's saves are validated against."""

    settings: OrgSettings | None
    entries: dict[Kind, dict[str, Item]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    list_versions: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    _ids_by_folded_name: dict[Kind, dict[str, str]] = field(default_factory=dict, init=False, repr=False,
                                                            compare=False)

    def entry(self, kind: Kind, entry_id: str | None) -> Item | None:
        return self.entries[kind].get(entry_id) if entry_id else None

    def ordered(self, kind: Kind) -> list[Item]:
        return sorted(self.entries[kind].values(), key=lambda entry: (as_int(entry.get("sortOrder")), entry["id"]))

    def id_named(self, kind: Kind, name: str) -> str | None:
        """The id of the entry named ``name`` (names are unique per list after folding). The folded
        index is built on first use: an import looks up a name or three on every row."""
        index = self._ids_by_folded_name.get(kind)
        if index is None:
            index = {fold(str(entry.get("name", ""))): str(entry["id"]) for entry in reversed(self.ordered(kind))}
            self._ids_by_folded_name[kind] = index
        return index.get(fold(name))


def settings_from_item(item: Item) -> OrgSettings:
    return OrgSettings(
        default_country=item.get("defaultCountry") or "US",
        default_area_code=item.get("defaultAreaCode"),
        customer_integration_enabled=bool(item.get("customerIntegrationEnabled", False)),
        integration_provider=item.get("integrationProvider"),
        quickbooks_realm_id=item.get("quickbooksRealmId"),
        default_currency=item.get("defaultCurrency") or DEFAULT_CURRENCY,
        version=as_int(item.get("version"), 1),
        updated_at=item.get("updatedAt"),
    )


def load_catalog(org: str) -> Catalog:
    client = aws.dynamodb()
    catalog = Catalog(settings=None)
    request: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.org_pk(org)}},
        "ConsistentRead": True,
    }
    while True:
        page = client.query(**request)
        for raw in page.get("Items", []):
            _absorb(catalog, from_item(raw))
        if "LastEvaluatedKey" not in page:
            return catalog
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _absorb(catalog: Catalog, item: Item) -> None:
    entity = item.get("entity")
    if entity == "settings":
        catalog.settings = settings_from_item(item)
    elif entity == "taxonomy":
        catalog.entries[item["kind"]][item["id"]] = item
    elif entity == "taxonomy_list":
        catalog.list_versions[item["kind"]] = as_int(item.get("version"))
