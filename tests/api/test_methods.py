"""SPEC §7.1: a known path with a method it does not serve answers 405 with ``Allow``; an unknown path
stays 404; a 204 carries no ``Content-Type`` (there is no body to describe)."""

from __future__ import annotations

import uuid

import pytest

from local.invoke import Reply, Verbs

from .parts import if_match, new_customer

pytestmark = pytest.mark.over_http


def header(reply: Reply, name: str) -> str | None:
    return next((value for key, value in reply.headers.items() if key.lower() == name.lower()), None)


def test_a_method_a_known_path_does_not_serve_is_405_with_allow(api: Verbs) -> None:
    reply = api.call("POST", f"/customers/{uuid.uuid4()}", body={})
    assert reply.status == 405, reply.body
    assert reply.body["code"] == "method_not_allowed"
    assert header(reply, "Allow") == "GET, PUT, PATCH, DELETE"
    assert header(reply, "Content-Type") == "application/problem+json"


def test_allow_joins_every_route_of_a_static_path(api: Verbs) -> None:
    reply = api.call("DELETE", "/customers")
    assert reply.status == 405 and reply.body["code"] == "method_not_allowed"
    assert header(reply, "Allow") == "GET, POST"


def test_405_needs_no_token_like_any_unrouted_request(api: Verbs) -> None:
    reply = api.call("PUT", "/health", org=None, body={})
    assert reply.status == 405 and reply.body["code"] == "method_not_allowed"
    assert header(reply, "Allow") == "GET"


def test_an_unknown_path_is_still_404(api: Verbs) -> None:
    reply = api.call("POST", "/no/such/route", body={})
    assert reply.status == 404 and reply.body["code"] == "not_found"
    assert header(reply, "Allow") is None


def test_delete_answers_204_without_a_content_type(api: Verbs) -> None:
    customer = new_customer(api)
    reply = api.delete(f"/customers/{customer['id']}", headers=if_match(customer["version"]))
    assert reply.status == 204 and reply.raw == ""
    assert header(reply, "Content-Type") is None
