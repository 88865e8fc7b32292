"""Webhook rules without I/O (SPEC §11): where a webhook may go, how it is signed, how retries are paced,
what ``previous`` holds, and how the changes feed names a change."""

from __future__ import annotations

import ipaddress
import random
import uuid

import pytest

from clientele.domain.changes import action_of, parse_types
from clientele.domain.previous_values import changes_only_bookkeeping, previous_values
from clientele.domain.webhook_urls import UrlRefused, first_refusal, parse, refusal
from clientele.domain.webhooks import (
    ATTEMPT_SECONDS,
    RETRY_DELAYS_SECONDS,
    attempts_allowed,
    delivery_id,
    event_id,
    normalise_events,
    retry_delay,
    signature,
    verify,
)
from clientele.services.webhooks.queue import MAX_DELAY_SECONDS

# --- URLs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://example.com/hook", "ftp://example.com/", "example.com/hook",
                                 "https:///hook", "https://user:pass@example.com/", "https://example.com/#frag",
                                 "https://exa mple.com/", "https://example.com:99999/", " https://example.com/"])
def test_a_url_that_is_not_plain_https_to_a_host_is_refused(url: str) -> None:
    with pytest.raises(UrlRefused):
        parse(url)


def test_an_https_url_keeps_its_host_port_path_and_query() -> None:
    target = parse("https://Hooks.Example.com:8443/in/clientele?token=abc")

    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.example.com", 8443,
                                                                      "/in/clientele?token=abc")
    assert not target.local


def test_an_international_host_name_is_encoded_for_dns() -> None:
    assert parse("https://bücher.example/hook").host == "xn--bcher-kva.example"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost:9000/"])
def test_the_local_stack_alone_allows_http_to_a_loopback_port(url: str) -> None:
    assert parse(url, allow_local_http=True).local
    with pytest.raises(UrlRefused, match="must use https"):
        parse(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1/hook", "http://10.0.0.5:8080/", "http://example.com:80/"])
def test_the_local_exception_needs_a_loopback_host_and_a_port(url: str) -> None:
    with pytest.raises(UrlRefused):
        parse(url, allow_local_http=True)


@pytest.mark.parametrize(("address", "reason"), [
    ("10.0.0.5", "private"), ("172.16.3.4", "private"), ("192.168.1.1", "private"), ("127.0.0.1", "loopback"),
    ("169.254.169.254", "metadata"), ("169.254.10.10", "link-local"), ("0.0.0.0", "unspecified"),
    ("224.0.0.251", "multicast"), ("240.0.0.1", "reserved"), ("100.64.0.1", "not a public"),
    ("::1", "loopback"), ("fd00:ec2::254", "metadata"), ("fe80::1", "link-local"), ("fc00::1", "private"),
    ("::", "unspecified"), ("ff02::1", "multicast"), ("::ffff:10.0.0.5", "private"),
    ("64:ff9b::a00:5", "private"), ("2002:a00:5::", "private"),
])
def test_internal_addresses_are_refused_with_the_reason(address: str, reason: str) -> None:
    found = refusal(ipaddress.ip_address(address))

    assert found is not None and reason in found


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_a_name_with_one_internal_address_among_public_ones_is_refused_naming_it() -> None:
    target = parse("https://hooks.example.com/")
    addresses = [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.0.0.5")]

    assert first_refusal(target, addresses) == "hooks.example.com is 10.0.0.5: a private address"


def test_the_local_exception_admits_loopback_and_nothing_else() -> None:
    target = parse("http://localhost:8080/", allow_local_http=True)

    assert first_refusal(target, [ipaddress.ip_address("127.0.0.1")]) is None
    assert first_refusal(target, [ipaddress.ip_address("10.0.0.5")]) is not None


# --- signatures -------------------------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_of_the_timestamp_dot_body_in_hex() -> None:
    import hashlib
    import hmac

    body = b'{"id":"e1"}'
    expected = hmac.new(b"whsec_abc", b"1700000000." + body, hashlib.sha256).hexdigest()

    assert signature(["whsec_abc"], 1700000000, body) == f"t=1700000000,v1={expected}"


def test_each_active_secret_signs_with_a_v1_of_its_own() -> None:
    header = signature(["new-secret", "old-secret"], 1700000000, b"{}")

    assert header.count("v1=") == 2
    assert verify(header, "new-secret", b"{}") and verify(header, "old-secret", b"{}")
    assert not verify(header, "another-secret", b"{}")


def test_a_changed_body_does_not_verify() -> None:
    header = signature(["secret"], 1700000000, b'{"a":1}')

    assert not verify(header, "secret", b'{"a":2}')


# --- pacing -----------------------------------------------------------------------------------------------


def test_the_first_retry_comes_within_a_minute() -> None:
    assert all(retry_delay(1, rng=random.Random(seed)) <= 60 for seed in range(50))  # type: ignore[operator]


def test_retries_span_more_than_24_hours_over_at_least_8_attempts() -> None:
    assert attempts_allowed() >= 8
    assert sum(RETRY_DELAYS_SECONDS) >= 24 * 60 * 60


def test_the_delays_grow_and_each_fits_an_sqs_visibility_timeout() -> None:
    assert list(RETRY_DELAYS_SECONDS) == sorted(RETRY_DELAYS_SECONDS)
    assert all(delay * 1.1 <= MAX_DELAY_SECONDS for delay in RETRY_DELAYS_SECONDS)


def test_after_the_last_attempt_there_is_no_retry() -> None:
    assert retry_delay(len(RETRY_DELAYS_SECONDS)) is not None
    assert retry_delay(len(RETRY_DELAYS_SECONDS) + 1) is None


def test_jitter_only_ever_waits_longer_by_at_most_a_tenth() -> None:
    delays = [retry_delay(3, rng=random.Random(seed)) for seed in range(100)]

    assert all(RETRY_DELAYS_SECONDS[2] <= delay <= RETRY_DELAYS_SECONDS[2] * 1.1 for delay in delays)  # type: ignore[operator]


def test_an_attempt_has_ten_seconds() -> None:
    assert ATTEMPT_SECONDS == 10


# --- ids ----------------------------------------------------------------------------------------------------


def test_a_delivery_id_is_a_uuid7_of_the_event_time_and_the_same_for_the_same_pair() -> None:
    first = delivery_id("webhook-1", "event-1", 1_700_000_000_000)

    parsed = uuid.UUID(first)
    assert parsed.version == 7 and parsed.int >> 80 == 1_700_000_000_000
    assert delivery_id("webhook-1", "event-1", 1_700_000_000_000) == first
    assert delivery_id("webhook-2", "event-1", 1_700_000_000_000) != first


def test_delivery_ids_sort_by_event_time() -> None:
    ids = [delivery_id("w", f"e{n}", 1_700_000_000_000 + n * 1000) for n in range(20)]

    assert sorted(ids) == ids


def test_an_event_id_is_stable_for_a_domain_event() -> None:
    assert event_id("CustomerUpdated:c1:3") == event_id("CustomerUpdated:c1:3") != event_id("CustomerUpdated:c1:4")


def test_events_are_kept_once_in_a_stable_order_and_star_stands_alone() -> None:
    assert normalise_events(["contact.created", "customer.created", "contact.created"]) == [
        "customer.created", "contact.created"]
    assert normalise_events(["customer.created", "*"]) == ["*"]


# --- previous and the feed ------------------------------------------------------------------------------------


def test_previous_holds_the_earlier_values_of_changed_fields_only() -> None:
    before = {"id": "c", "companyName": "Acme", "emails": ["a@x.test"], "version": 1, "notes": None}
    after = {"id": "c", "companyName": "Acme Hotels", "emails": ["a@x.test"], "version": 2, "notes": "new"}

    assert previous_values(before, after) == {"companyName": "Acme", "version": 1, "notes": None}


def test_a_creation_has_no_previous_values() -> None:
    assert previous_values(None, {"id": "c"}) == {}


def test_a_change_of_version_and_updated_at_alone_is_bookkeeping() -> None:
    assert changes_only_bookkeeping({"version": 3, "updatedAt": "2026-12-07T10:00:00.000Z"})
    assert not changes_only_bookkeeping({"version": 3, "notes": "x"})
    assert not changes_only_bookkeeping({})


@pytest.mark.parametrize(("old", "new", "action"), [
    (None, {"v": 1}, "created"), ({"v": 1}, None, "deleted"), ({}, {"deletedAt": "t"}, "deleted"),
    ({"deletedAt": "t"}, {}, "restored"), ({}, {"mergedInto": "s", "deletedAt": "t"}, "merged"),
    ({"deletedAt": "t"}, {"deletedAt": "t", "erasedAt": "u"}, "erased"), ({}, {"notes": "x"}, "updated"),
])
def test_a_feed_entry_names_what_the_change_did(old: dict[str, str] | None, new: dict[str, str] | None,
                                                 action: str) -> None:
    assert action_of(old, new) == action


def test_the_types_filter_takes_a_comma_list_of_known_types() -> None:
    assert parse_types("customer, sales_order") == ["customer", "sales_order"]
    assert parse_types(None) is None
    with pytest.raises(ValueError, match="'orders'"):
        parse_types("customer,orders")
