from clientele.domain.emails import normalise_emails


def test_emails_are_lower_cased_and_deduplicated():
    emails, errors = normalise_emails(["Ada@Example.com", "ada@example.com", "b@example.org"])
    assert emails == ["ada@example.com", "b@example.org"]
    assert errors == []


def test_a_comma_separated_string_is_a_list():
    emails, _ = normalise_emails("a@example.com, b@example.com")
    assert emails == ["a@example.com", "b@example.com"]


def test_invalid_address_is_named_by_position():
    _, errors = normalise_emails(["a@example.com", "not-an-email"])
    assert [e.field for e in errors] == ["emails[1]"]


def test_injection_looking_values_are_not_addresses():
    _, errors = normalise_emails(["x@example.com'; DROP TABLE customers;--"])
    assert errors
