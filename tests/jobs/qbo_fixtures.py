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


# --------------------------------------------------------------------------- commercial fields (SPEC §13)

# Source: Intuit developer docs, QuickBooks Online API reference "Customer" — WebAddr is a
# WebSiteAddress {"URI"}; ResaleNum a string (max 16); Taxable a boolean; CurrencyRef {"value": ISO code,
# "name"}, read-only once set; SalesTermRef a ReferenceType {"value": Term.Id[, "name": Term.Name]} ("name"
# is optional in responses); PrimaryTaxIdentifier (locales IN, CA, GB, AU) "is masked in responses,
# exposing only last five characters. For example, the ID of 123-45-6789 is returned as XXXXXX56789".
MASKED_TAX_ID = "XXXXXX56789"


def commercial_fields(*, website: str | None = "http://www.intuit.com", resale: str | None = "R-2026-001",
                      taxable: bool | None = False, currency: str | None = "USD",
                      terms: tuple[str, str | None] | None = ("3", "Net 30"),
                      tax_id: str | None = None) -> dict[str, Any]:
    """The commercial fields of a QuickBooks Customer, as FakeQbo.put keyword arguments."""
    fields: dict[str, Any] = {"WebAddr": {"URI": website} if website else None, "ResaleNum": resale,
                              "Taxable": taxable, "PrimaryTaxIdentifier": tax_id,
                              "CurrencyRef": {"value": currency, "name": "United States Dollar"} if currency else None}
    if terms is not None:
        term_id, name = terms
        fields["SalesTermRef"] = {"value": term_id, **({"name": name} if name else {})}
    else:
        fields["SalesTermRef"] = None
    return fields


# Source: Intuit developer docs, QuickBooks Online API reference "Term" — {"Id", "Name", "Type": "STANDARD",
# "DueDays", "DiscountPercent", "DiscountDays", "Active", "SyncToken", "domain", "sparse", "MetaData"}; a
# sandbox company comes with "Due on receipt" (0 days), "Net 15", "Net 30" (Id 3) and "Net 60".
def term(term_id: str, name: str, due_days: int) -> dict[str, Any]:
    return {"Id": term_id, "Name": name, "Type": "STANDARD", "DueDays": due_days, "DiscountPercent": 0,
            "DiscountDays": 0, "Active": True, "SyncToken": "0", "domain": "QBO", "sparse": False,
            "MetaData": {"CreateTime": "2026-11-02T10:49:55-07:00", "LastUpdatedTime": "2026-11-02T10:49:55-07:00"}}


SANDBOX_TERMS = (term("1", "Due on receipt", 0), term("2", "Net 15", 15), term("3", "Net 30", 30),
                 term("4", "Net 60", 60))

# --------------------------------------------------------------------------- webhook signature vector

# Source: Intuit's QuickBooks-V3-Java-SDK, ipp-v3-java-devkit/src/test/java/com/intuit/ipp/services/
# WebhooksServiceTest.java — the verifier token, the payload and the intuit-signature Intuit's own
# WebhooksService.verifyPayload accepts (and "1234", which it refuses).
SDK_VERIFIER_TOKEN = b"b5771f19b12ddb4bcdb9f08bdc50bc63878a"
SDK_SIGNATURE = "JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8Q="
SDK_PAYLOAD = (b'{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[{"name":"Customer",'
               b'"id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"}]}}]}')
