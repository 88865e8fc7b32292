"""The settings item (``PK = ORG#<org>``, ``SK = SETTINGS``) and the QuickBooks realm markers.

A realm marker (``PK = QBO_REALM#<realmId>``, ``SK = QBO_REALM``, ``org``) is the one item whose key
does not start with ``ORG#``: it lets the webhook find the org of a realm with one GetItem and makes
a realm id unique across orgs. It is written and removed in the same transaction as the settings
save that names or drops the realm, conditional on no other org holding it. While the org's
QuickBooks integration is on, the marker also carries sparse GSI1 keys (``QBO_REALM#ENABLED``, realm):
the scheduled sync lists the orgs to visit with one Query instead of a Scan.
"""

from __future__ import annotations

from typing import Any

from clientele.domain.settings_models import SETTINGS_FIELDS
from clientele.errors import ClienteleError, Conflict, NotFound, VersionConflict
from clientele.store import keys
from clientele.store.table import Item, as_int, key, read_item, to_item, values
from clientele.store.transactions import Transaction


def settings_key(org: str) -> dict[str, Any]:
    return key(keys.org_pk(org), keys.SETTINGS_SK)


def realm_key(realm_id: str) -> dict[str, Any]:
    return key(keys.qbo_realm_pk(realm_id), keys.QBO_REALM_SK)


def get_settings(org: str) -> Item | None:
    return read_item(settings_key(org))


def org_for_realm(realm_id: str) -> str | None:
    """The org whose settings name this QuickBooks realm (the webhook's lookup)."""
    item = read_item(realm_key(realm_id))
    return str(item["org"]) if item else None


def _settings_failure(old: Item | None) -> ClienteleError:
    if old is None:
        return NotFound("The organisation has no settings.")
    return VersionConflict(as_int(old.get("version")))


def _realm_taken(_old: Item | None) -> ClienteleError:
    return Conflict("duplicate", "Another organisation is connected to this QuickBooks company (realm).",
                    errors=[{"field": "quickbooksRealmId",
                             "message": "Another organisation uses this realm id."}])


def save_settings(org: str, before: Item, document: dict[str, Any], expected_version: int, now: str) -> None:
    """SET the document's fields (REMOVE the null ones), version +1, conditional on the version read;
    claim the new realm and release the old one in the same transaction."""
    to_set = {name: document[name] for name in SETTINGS_FIELDS if document.get(name) is not None}
    to_remove = [name for name in SETTINGS_FIELDS if document.get(name) is None and name in before]
    names = {f"#s{i}": name for i, name in enumerate(to_set)}
    vals: dict[str, Any] = {f":s{i}": value for i, value in enumerate(to_set.values())}
    assignments = [f"#s{i} = :s{i}" for i in range(len(to_set))] + ["#version = :next", "updatedAt = :now"]
    update = "SET " + ", ".join(assignments)
    if to_remove:
        names.update({f"#r{i}": name for i, name in enumerate(to_remove)})
        update += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(to_remove)))
    names["#version"] = "version"
    vals.update({":next": expected_version + 1, ":expected": expected_version, ":now": now})

    tx = Transaction()
    tx.update(settings_key(org), update, condition="attribute_exists(PK) AND #version = :expected",
              names=names, values=values(vals), on_fail=_settings_failure)
    new_realm = document.get("quickbooksRealmId")
    old_realm = before.get("quickbooksRealmId")
    mine = values({":me": org})
    if new_realm:
        tx.put(to_item({**_realm_item(new_realm), "org": org, "entity": "qbo_realm", "updatedAt": now,
                        **_sync_listing(new_realm, document)}),
               condition="attribute_not_exists(PK) OR #org = :me", names={"#org": "org"}, values=mine,
               on_fail=_realm_taken)
    if old_realm and old_realm != new_realm:
        tx.delete(realm_key(old_realm), condition="attribute_not_exists(PK) OR #org = :me",
                  names={"#org": "org"}, values=mine, on_fail=_realm_taken)
    tx.commit()


def _realm_item(realm_id: str) -> dict[str, str]:
    return {"PK": keys.qbo_realm_pk(realm_id), "SK": keys.QBO_REALM_SK}


def _sync_listing(realm_id: str, document: dict[str, Any]) -> dict[str, str]:
    """Sparse GSI keys on the marker while the QuickBooks integration is on: the scheduled sync's list
    of orgs (``keys.QBO_ENABLED_REALMS``). The marker is re-put on every save naming the realm."""
    if document.get("customerIntegrationEnabled") and document.get("integrationProvider") == "quickbooks":
        pk_name, sk_name = keys.INDEX_KEYS[keys.QBO_SYNC_INDEX]
        return {pk_name: keys.QBO_ENABLED_REALMS, sk_name: realm_id}
    return {}
