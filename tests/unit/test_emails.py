from clientele.domain.emails import normalise_emails


def test_emails_are_lower_cased_and_deduplicated() -> None:
    emails, errors = normalise_emails(["Ada@Example.com", "ada@example.com", "b@example.org"])
    assert emails == ["ada@example.com", "b@example.org"]
    assert errors == []


def test_a_comma_separated_string_is_a_list() -> None:
    emails, _ = normalise_emails("a@example.com, b@example.com")
    assert emails == ["a@example.com", "b@example.com"]


def test_invalid_address_is_named_by_position() -> None:
    _, errors = normalise_emails(["a@example.com", "not-an-email"])
    assert [e.field for e in errors] == ["emails[1]"]


def test_injection_looking_values_are_not_addresses() -> None:
    _, errors = normalise_emails(["x@example.com'; DROP TABLE customers;--"])
    assert errors


def test_internationalised_addresses_are_accepted_and_lower_cased() -> None:
    emails, errors = normalise_emails(["José@Exämple.de", "用户@例子.广告"])
    assert emails == ["josé@exämple.de", "用户@例子.广告"] and errors == []


def test_a_domain_label_may_not_start_or_end_with_a_hyphen_or_underscore() -> None:
    _, errors = normalise_emails(["a@-example.com", "a@example_.com", "a@example", "a b@example.com"])
    assert [e.field for e in errors] == ["emails[0]", "emails[1]", "emails[2]", "emails[3]"]


def test_a_domain_label_holds_no_underscore() -> None:
    _, errors = normalise_emails(["a@ex_ample.com"])
    assert errors
