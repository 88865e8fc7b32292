"""Provisioning a new organisation: settings and default types in one conditional transaction."""

from __future__ import annotations

from clientele.errors import ClienteleError
from clientele.store import keys, taxonomies
from clientele.store.table import Item, to_item
from clientele.store.transactions import Transaction


class AlreadyProvisioned(ClienteleError):
    status = 409
    code = "already_provisioned"


def _already(_old: Item | None) -> ClienteleError:
    return AlreadyProvisioned("The organisation exists already.")


def provision(org: str, settings_item: Item, default_types: list[Item]) -> bool:
    """True when this call provisioned the org; False when another call did first."""
    tx = Transaction()
    tx.put(to_item({"PK": keys.org_pk(org), "SK": keys.SETTINGS_SK, **settings_item}),
           condition="attribute_not_exists(PK)", on_fail=_already)
    for entry in default_types:
        tx.put(to_item({"PK": keys.org_pk(org), "SK": keys.taxonomy_sk("type", entry["id"]), **entry}),
               condition="attribute_not_exists(PK)")
        for guard in taxonomies.guard_keys(org, "type", entry["id"]):
            tx.put({**guard, **to_item({"entity": "guard", "refs": 0, "active": True})})
    tx.put(to_item({"PK": keys.org_pk(org), "SK": keys.taxonomy_list_sk("type"), "entity": "taxonomy_list",
                    "kind": "type", "version": 1}), condition="attribute_not_exists(PK)", on_fail=_already)
    try:
        tx.commit()
    except AlreadyProvisioned:
        return False
    return True
