"""QuickBooks Online shapes as Intuit publishes them, for the fake server and the sync/webhook tests.

Each fixture names its source. They are data shapes (field names, nesting, value formats) taken from
Intuit's documentation and SDK behaviour; ids, names and realms are the tests' own where the source
masks them (Intuit's docs print ``93414556*********``-style realms).
"""

from __future__ import annotations

from typing import Any

# Intuit answers in the company's time zone; the sandbox companies are in US Pacific time.
PACIFIC_OFFSET = "-07:00"

# --------------------------------------------------------------------------- webhooks

# Source: Intuit Developer Blog, "Upcoming change to webhooks payload structure" (2025-11-12,
# blogs.intuit.com) — the classic (current) format sample: eventNotifications → realmId →
# dataChangeEvent.entities[{id, operation, name, lastUpdated}].
CLASSIC_ENTITY: dict[str, Any] = {"id": "1234", "operation": "Create", "name": "Account",
                                  "lastUpdated": "2025-09-08T20:52:31.657Z"}


def classic_notification(realm: str, *entities: dict[str, Any]) -> dict[str, Any]:
    """The classic payload around the given entities (same source as :data:`CLASSIC_ENTITY`)."""
    return {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": list(entities)}}]}


def classic_customer(entity_id: str, operation: str, deleted_id: str | None = None) -> dict[str, Any]:
    """A classic Customer entity. Source for ``Delete`` / ``Merge`` + ``deletedId``: Intuit developer
    docs, QuickBooks Online "Webhooks" (operations Create, Update, Delete, Merge, Void; Customer supports
    merge events, the merged-away id arriving as ``deletedId`` next to the survivor's ``id``)."""
    entity = {"name": "Customer", "id": entity_id, "operation": operation, "lastUpdated": "2026-11-30T17:04:12.000Z"}
    if deleted_id is not None:
        entity["deletedId"] = deleted_id
    return entity


# Source: Intuit Developer Blog, "Upcoming change to webhooks payload structure" (2025-11-12) — the
# CloudEvents sample (``qbo.account.created.v1``): specversion, id, source, type, datacontenttype, time,
# intuitentityid, intuitaccountid, data.
# Source for the merge: Intuit developer docs, QuickBooks Online "Webhooks → Data objects" — "the
# response payload when a customer is merged with another customer": type ``qbo.customer.merged.v1``,
# intuitentityid the survivor ("123"), ``data: {"deletedid": "27"}``.
def cloud_event(realm: str, entity_id: str, action: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"88cd52aa-33b6-4351-9aa4-47572edbd068-Customer-{entity_id}",
            "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=", "type": f"qbo.customer.{action}.v1",
            "datacontenttype": "application/json", "time": "2025-12-04T15:25:05Z",
            "intuitentityid": entity_id, "intuitaccountid": realm, "data": data if data is not None else {}}


def cloud_merge(realm: str, survivor: str = "123", deleted: str = "27") -> dict[str, Any]:
    return cloud_event(realm, survivor, "merged", {"deletedid": deleted})


# --------------------------------------------------------------------------- CDC and query answers

# Source: Intuit developer docs, QuickBooks Online API reference "Change data capture" — the sample
# response lists a deleted entity as {"domain": "QBO", "status": "Deleted", "Id", "MetaData":
# {"LastUpdatedTime"}} with a -08:00/-07:00 offset, inside CDCResponse[].QueryResponse[].
def cdc_deleted(entity_id: str, updated: str) -> dict[str, Any]:
    return {"domain": "QBO", "status": "Deleted", "Id": entity_id, "MetaData": {"LastUpdatedTime": updated}}


# Source: Intuit's QuickBooks-V3-Java-SDK (ipp-v3-java-devkit, the CDC response deserialisation) reads
# a ``Fault`` inside a CDC ``QueryResponse`` entry as that entity's failure; the Fault object itself is
# Intuit's documented error shape {"Error": [{"Message", "Detail", "code", "element"}], "type"}
# (developer docs, "Error codes"), here with the ValidationFault Intuit answers for a bad CDC request.
QUERY_RESPONSE_FAULT: dict[str, Any] = {
    "Error": [{"Message": "An application error has occurred while processing your request",
               "Detail": "System Failure Error: Could not retrieve the entity changes for Customer",
               "code": "10000", "element": ""}],
    "type": "SystemFault",
}

# Source: Intuit Developer Blog, "QuickBooks Online API throttling changes coming soon" (2016-08-08)
# and Intuit's error-code list: ThrottleExceeded is errorCode 003001. Older throttling answered 403
# with the v3 XML IntuitResponse error body (xmlns http://schema.intuit.com/finance/v3), before the
# 429 answer used today.
THROTTLE_403_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2026-11-30T09:12:44.512-07:00">'
    b'<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; '
    b'statusCode=403</Message><Detail>The request limit was reached.</Detail></Error></Fault></IntuitResponse>'
)
THROTTLE_429_JSON: dict[str, Any] = {
    "Fault": {"Error": [{"Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                         "Detail": "The request limit was reached.", "code": "3001"}], "type": "SERVICE"},
}

# --------------------------------------------------------------------------- customers

# Source: Intuit developer docs, QuickBooks Online API reference "Customer" — a sub-customer (a job or
# project) has ``Job: true``, ``ParentRef: {"value": <parent Id>}``, ``Level`` (1 = child of a
# top-level customer), ``BillWithParent`` and ``FullyQualifiedName`` "Parent:Child"; the sandbox
# sample company's sub-customers 58 and 59 are both "Test Project" under different parents.
def sub_customer(entity_id: str, parent_id: str, parent_name: str, name: str = "Test Project",
                 bill_with_parent: bool = True) -> dict[str, Any]:
    return {"Job": True, "ParentRef": {"value": parent_id}, "Level": 1, "BillWithParent": bill_with_parent,
            "DisplayName": name, "FullyQualifiedName": f"{parent_name}:{name}", "PrintOnCheckName": name,
            "CompanyName": name}


# Source: Intuit developer docs, QuickBooks Online API reference "Customer" — PhysicalAddress.Country is
# free text; Intuit's own samples carry "USA" and "United States"; Mobile, AlternatePhone and Fax are
# TelephoneNumber objects ({"FreeFormNumber"}) next to PrimaryPhone.
SAMPLE_COUNTRIES = ("USA", "United States", "GBR", "United Kingdom")
