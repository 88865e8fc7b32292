"""What every resource a customer (or the org) holds shares (SPEC §3, §4.5 to §4.8), as one sweep over a
table: contacts, activities, projects, sales orders and address-book entries all need If-Match to
change or delete (428 without it, 412 with the current version when stale), are 404 to another org
and for ids that are not UUIDs, are read but never written by a viewer, and — under a customer —
refuse writes once the customer is deleted (409 ``customer_deleted``) while staying readable.

What is particular to one resource stays in its own module (test_contacts.py, test_activities.py, …).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from local.invoke import Reply, Verbs

from .parts import assert_problem, delete_customer, if_match, new_customer

pytestmark = pytest.mark.over_http

FOREIGN = "globex"  # another organisation


@dataclass(frozen=True)
class Child:
    """One kind of resource, by its routes (``{customer}`` and ``{id}`` are filled in)."""

    name: str
    create_path: str
    list_path: str
    item_path: str
    body: dict[str, Any]  # a valid create body
    changes: tuple[dict[str, Any], dict[str, Any]]  # two valid PATCH bodies
    of_customer: bool = True  # lives under a customer: its writes need the customer alive
    body_names_customer: bool = False  # the customer is named in the body, not the path
    readable_item: bool = False  # has GET on the item
    deletable: bool = True
    writes_refused_when_deleted: tuple[str, ...] = ("POST", "PATCH", "DELETE")

    def __str__(self) -> str:
        return self.name

    def create_body(self, customer_id: str) -> dict[str, Any]:
        return {**self.body, "customerId": customer_id} if self.body_names_customer else dict(self.body)

    def create(self, api: Verbs, customer_id: str, **options: Any) -> Reply:
        return api.post(self.create_path.format(customer=customer_id), self.create_body(customer_id), **options)

    def make(self, api: Verbs, customer_id: str) -> dict[str, Any]:
        reply = self.create(api, customer_id)
        assert reply.status == 201, reply.body
        return dict(reply.body)

    def listing(self, customer_id: str) -> str:
        return self.list_path.format(customer=customer_id)

    def at(self, customer_id: str, item_id: str) -> str:
        return self.item_path.format(customer=customer_id, id=item_id)


CHILDREN = [
    Child("contact", "/customers/{customer}/contacts", "/customers/{customer}/contacts",
          "/customers/{customer}/contacts/{id}", {"name": "Ada"}, ({"title": "a"}, {"title": "b"})),
    Child("activity", "/customers/{customer}/activities", "/customers/{customer}/activities",
          "/customers/{customer}/activities/{id}", {"type": "note", "body": "x"}, ({"body": "a"}, {"body": "b"})),
    Child("project", "/customers/{customer}/projects", "/customers/{customer}/projects",
          "/customers/{customer}/projects/{id}", {"name": "p"}, ({"status": "active"}, {"status": "hold"}),
          readable_item=True),
    Child("sales order", "/sales-orders", "/customers/{customer}/sales-orders", "/sales-orders/{id}",
          {"lines": [{"description": "Widget", "quantity": 2, "unitPrice": "10.00"}]},
          ({"status": "confirmed"}, {"status": "cancelled"}), body_names_customer=True, readable_item=True,
          deletable=False, writes_refused_when_deleted=("POST",)),
    Child("address-book entry", "/address-book", "/address-book", "/address-book/{id}", {"label": "x"},
          ({"city": "a"}, {"city": "b"}), of_customer=False, readable_item=True),
]
DELETABLE = [child for child in CHILDREN if child.deletable]
OF_CUSTOMER = [child for child in CHILDREN if child.of_customer]


def held(api: Verbs, child: Child) -> tuple[str, dict[str, Any]]:
    """A customer's id ("" for the org's address book) and one new ``child`` it holds."""
    customer_id = new_customer(api)["id"] if child.of_customer else ""
    return customer_id, child.make(api, customer_id)


# --- If-Match ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("child", CHILDREN, ids=str)
def test_a_patch_without_if_match_is_428_precondition_required(api: Verbs, child: Child) -> None:
    customer_id, item = held(api, child)
    assert_problem(api.patch(child.at(customer_id, item["id"]), child.changes[0]), 428, "precondition_required")


@pytest.mark.parametrize("child", CHILDREN, ids=str)
def test_a_patch_with_a_stale_if_match_is_412_with_the_current_version(api: Verbs, child: Child) -> None:
    customer_id, item = held(api, child)
    first, second = child.changes
    assert api.patch(child.at(customer_id, item["id"]), first, headers=if_match(1)).status == 200
    reply = api.patch(child.at(customer_id, item["id"]), second, headers=if_match(1))
    assert assert_problem(reply, 412, "version_conflict")["currentVersion"] == 2


@pytest.mark.parametrize("child", DELETABLE, ids=str)
def test_a_delete_without_if_match_is_428_precondition_required(api: Verbs, child: Child) -> None:
    customer_id, item = held(api, child)
    assert_problem(api.delete(child.at(customer_id, item["id"])), 428, "precondition_required")


@pytest.mark.parametrize("child", DELETABLE, ids=str)
def test_a_delete_with_a_stale_if_match_is_412_with_the_current_version(api: Verbs, child: Child) -> None:
    customer_id, item = held(api, child)
    reply = api.delete(child.at(customer_id, item["id"]), headers=if_match(7))
    assert assert_problem(reply, 412, "version_conflict")["currentVersion"] == 1


@pytest.mark.parametrize("child", DELETABLE, ids=str)
def test_a_delete_of_an_unknown_id_is_404_not_found(api: Verbs, child: Child) -> None:
    customer_id = new_customer(api)["id"] if child.of_customer else ""
    assert_problem(api.delete(child.at(customer_id, str(uuid.uuid4())), headers=if_match(1)), 404, "not_found")


# --- a deleted or unknown customer -------------------------------------------------------------------------


@pytest.mark.parametrize("child", OF_CUSTOMER, ids=str)
def test_writes_under_a_deleted_customer_are_409_customer_deleted(api: Verbs, child: Child) -> None:
    customer = new_customer(api)
    item = child.make(api, customer["id"])
    delete_customer(api, customer)
    path = child.at(customer["id"], item["id"])
    writes = {"POST": lambda: child.create(api, customer["id"]),
              "PATCH": lambda: api.patch(path, child.changes[0], headers=if_match(1)),
              "DELETE": lambda: api.delete(path, headers=if_match(1))}
    for method in child.writes_refused_when_deleted:
        assert_problem(writes[method](), 409, "customer_deleted")


@pytest.mark.parametrize("child", OF_CUSTOMER, ids=str)
def test_what_a_deleted_customer_holds_stays_readable(api: Verbs, child: Child) -> None:
    customer = new_customer(api)
    item = child.make(api, customer["id"])
    delete_customer(api, customer)
    listed = api.get(child.listing(customer["id"]))
    assert listed.status == 200, listed.body
    assert [entry["id"] for entry in listed.body["items"]] == [item["id"]]
    if child.readable_item:
        assert api.get(child.at(customer["id"], item["id"])).status == 200


@pytest.mark.parametrize("child", OF_CUSTOMER, ids=str)
def test_the_children_of_an_unknown_customer_are_404_not_found(api: Verbs, child: Child) -> None:
    unknown = str(uuid.uuid4())
    assert_problem(api.get(child.listing(unknown)), 404, "not_found")
    if not child.body_names_customer:  # naming an unknown customer in a body is a 422 (test_sales_orders.py)
        assert_problem(child.create(api, unknown), 404, "not_found")


# --- tenancy, ids, roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("child", CHILDREN, ids=str)
def test_another_orgs_are_404_not_found(api: Verbs, child: Child) -> None:
    customer_id, item = held(api, child)
    path = child.at(customer_id, item["id"])
    replies = [api.patch(path, child.changes[0], headers=if_match(1), org=FOREIGN)]
    if child.deletable:
        replies.append(api.delete(path, headers=if_match(1), org=FOREIGN))
    if child.readable_item:
        replies.append(api.get(path, org=FOREIGN))
    if child.of_customer:
        replies.append(api.get(child.listing(customer_id), org=FOREIGN))
    if child.of_customer and not child.body_names_customer:
        replies.append(child.create(api, customer_id, org=FOREIGN))
    for reply in replies:
        assert_problem(reply, 404, "not_found")
    if not child.of_customer:  # the org's own list: theirs does not show ours
        assert api.get(child.listing(customer_id), org=FOREIGN).body["items"] == []


@pytest.mark.parametrize("child", CHILDREN, ids=str)
def test_ids_that_are_not_uuids_are_404_not_found(api: Verbs, child: Child) -> None:
    customer_id = new_customer(api)["id"] if child.of_customer else ""
    path = child.at(customer_id, "nope")
    replies = [api.patch(path, child.changes[0], headers=if_match(1))]
    if child.deletable:
        replies.append(api.delete(path, headers=if_match(1)))
    if child.readable_item:
        replies.append(api.get(path))
    if child.of_customer:
        replies.append(api.get(child.listing("not-a-uuid")))
    for reply in replies:
        assert_problem(reply, 404, "not_found")


@pytest.mark.parametrize("child", CHILDREN, ids=str)
def test_a_viewer_reads_but_cannot_write(api: Verbs, child: Child) -> None:
    customer_id, item = held(api, child)
    path = child.at(customer_id, item["id"])
    assert api.get(child.listing(customer_id), role="viewer").status == 200
    if child.readable_item:
        assert api.get(path, role="viewer").status == 200
    writes = [child.create(api, customer_id, role="viewer"),
              api.patch(path, child.changes[0], headers=if_match(1), role="viewer")]
    if child.deletable:
        writes.append(api.delete(path, headers=if_match(1), role="viewer"))
    for reply in writes:
        assert_problem(reply, 403, "forbidden")
