"""Exact decimal arithmetic for money and percentages (never floats)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def parse_decimal(value: object) -> Decimal | None:
    """A finite Decimal from a JSON number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    return str(round_cents(value))


def percent_out(value: Decimal | None) -> int | float | None:
    """Percentages are JSON numbers: the shortest float repr of a ≤ 2-decimal value is exact."""
    if value is None:
        return None
    normalised = value.normalize()
    if normalised == normalised.to_integral_value():
        return int(normalised)
    return float(normalised)
