from decimal import Decimal

from clientele.domain.money import money_text, parse_decimal, percent_out, round_cents


def test_rounding_is_half_up_to_the_cent() -> None:
    assert round_cents(Decimal("2.345")) == Decimal("2.35")
    assert round_cents(Decimal("2.344")) == Decimal("2.34")


def test_money_is_text_with_two_places() -> None:
    assert money_text(Decimal("1234.5")) == "1234.50"


def test_percentages_are_numbers() -> None:
    assert percent_out(Decimal("12.50")) == 12.5
    assert percent_out(Decimal("10")) == 10
    assert isinstance(percent_out(Decimal("10.00")), int)


def test_numbers_and_numeric_strings_parse_exactly() -> None:
    assert parse_decimal("0.1") == Decimal("0.1")
    assert parse_decimal(Decimal("0.1")) == Decimal("0.1")
    assert parse_decimal("NaN") is None
    assert parse_decimal(True) is None
