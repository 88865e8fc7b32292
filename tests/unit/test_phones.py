import pytest

from clientele.domain.phones import DialingContext, PhoneError, normalise_phone, normalise_phones


def test_local_number_gets_the_default_area_code() -> None:
    assert normalise_phone("555 0101", DialingContext("US", "212")) == "+1-212-555-0101"


def test_kn_local_number_becomes_international() -> None:
    assert normalise_phone("5551234", DialingContext("KN", "869")) == "+1-869-555-1234"


def test_national_number_is_read_in_the_default_country() -> None:
    assert normalise_phone("(212) 555-0101", DialingContext("US", None)) == "+1-212-555-0101"


def test_plus_prefixed_number_is_international() -> None:
    assert normalise_phone("+44 20 7946 0958", DialingContext("US", "212")) == "+44-20-7946-0958"


def test_local_number_without_configured_area_code_is_refused() -> None:
    with pytest.raises(PhoneError, match="defaultAreaCode"):
        normalise_phone("555 0101", DialingContext("US", None))


def test_impossible_number_is_refused() -> None:
    with pytest.raises(PhoneError):
        normalise_phone("12", DialingContext("US", "212"))


def test_letters_are_refused() -> None:
    with pytest.raises(PhoneError):
        normalise_phone("call me", DialingContext("US", "212"))


def test_list_errors_name_the_offending_entry_and_duplicates_are_dropped() -> None:
    phones, errors = normalise_phones("212-555-0101, +1 212 555 0101, 12", DialingContext("US", None))
    assert phones == ["+1-212-555-0101"]
    assert [e.field for e in errors] == ["phones[2]"]


def test_a_number_that_would_not_read_back_as_itself_is_refused() -> None:
    """In DE, 000000 formats as +49-00000, which reads back as +49-0000: never a fixed point."""
    with pytest.raises(PhoneError):
        normalise_phone("000000", DialingContext("DE", None))
