"""Helpers for the tests of what hangs off a customer: contacts, activities, projects, address book."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clientele import aws
from clientele.services import orgs
from clientele.store import keys
from clientele.store.table import key, read_item, table_name, values
from local.invoke import Reply, Verbs

from .helpers import customer_body

PROBLEM = "application/problem+json"


def assert_problem(reply: Reply, status: int, code: str) -> dict[str, Any]:
    """The reply is an RFC 9457 problem of this status and ``code``; returns its body."""
    assert reply.status == status, (reply.status, reply.raw[:500])
    assert reply.headers.get("Content-Type") == PROBLEM, reply.headers
    assert reply.body["code"] == code, reply.body
    return dict(reply.body)


def error_fields(reply: Reply) -> list[str]:
    """The fields a validation problem names, in order."""
    return [error["field"] for error in reply.body["errors"]]


def contacts_path(customer_id: str) -> str:
    return f"/customers/{customer_id}/contacts"


def contact_path(customer_id: str, contact_id: str) -> str:
    return f"/customers/{customer_id}/contacts/{contact_id}"


def activities_path(customer_id: str) -> str:
    return f"/customers/{customer_id}/activities"


def activity_path(customer_id: str, activity_id: str) -> str:
    return f"/customers/{customer_id}/activities/{activity_id}"


def projects_path(customer_id: str) -> str:
    return f"/customers/{customer_id}/projects"


def project_path(customer_id: str, project_id: str) -> str:
    return f"/customers/{customer_id}/projects/{project_id}"


def if_match(version: int | str) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def new_customer(api: Verbs, org: str = "acme", **fields: Any) -> dict[str, Any]:
    reply = api.post("/customers", customer_body(org, **fields), org=org)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def add_contact(api: Verbs, customer_id: str, org: str = "acme", **fields: Any) -> dict[str, Any]:
    body = {"name": "Grace Hopper", **fields}
    reply = api.post(f"/customers/{customer_id}/contacts", body, org=org)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def add_address(api: Verbs, org: str = "acme", **fields: Any) -> dict[str, Any]:
    body = {"label": "Head office", "line1": "1 Main St", "country": "US", **fields}
    reply = api.post("/address-book", body, org=org)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def add_activity(api: Verbs, customer_id: str, org: str = "acme", **fields: Any) -> dict[str, Any]:
    body = {"type": "note", "body": "Spoke about the renewal.", **fields}
    reply = api.post(f"/customers/{customer_id}/activities", body, org=org)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def add_task(api: Verbs, customer_id: str, org: str = "acme", **fields: Any) -> dict[str, Any]:
    return add_activity(api, customer_id, org, **{"type": "task", "title": "Call back", "body": None, **fields})


def add_project(api: Verbs, customer_id: str, org: str = "acme", **fields: Any) -> dict[str, Any]:
    reply = api.post(f"/customers/{customer_id}/projects", {"name": "Lobby refit", **fields}, org=org)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def delete_customer(api: Verbs, customer: dict[str, Any], org: str = "acme") -> None:
    current = api.get(f"/customers/{customer['id']}", org=org)
    reply = api.delete(f"/customers/{customer['id']}", headers=if_match(current.body["version"]), org=org)
    assert reply.status == 204, reply.body


def stored(pk: str, sk: str) -> dict[str, Any] | None:
    return read_item(key(pk, sk))


def stored_item(pk: str, sk: str) -> dict[str, Any]:
    """The item under (pk, sk), which must be there."""
    item = stored(pk, sk)
    assert item is not None, f"nothing stored under {pk} / {sk}"
    return item


def set_attribute(pk: str, sk: str, name: str, value: Any) -> None:
    aws.dynamodb().update_item(TableName=table_name(), Key=key(pk, sk), UpdateExpression="SET #n = :v",
                               ExpressionAttributeNames={"#n": name}, ExpressionAttributeValues=values({":v": value}))


def set_dialing(org: str, country: str, area: str | None) -> None:
    orgs.ensure_provisioned(org)
    aws.dynamodb().update_item(TableName=table_name(), Key=key(keys.org_pk(org), keys.SETTINGS_SK),
                               UpdateExpression="SET defaultCountry = :c, defaultAreaCode = :a",
                               ExpressionAttributeValues=values({":c": country, ":a": area}))
    orgs.forget(org)


def counted(call: Callable[[], Reply]) -> tuple[Reply, list[str]]:
    """Run ``call`` (warm: the org is provisioned, its function imported) counting DynamoDB calls."""
    calls = aws.start_counting_dynamodb_calls()
    reply = call()
    return reply, list(calls)
