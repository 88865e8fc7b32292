"""Properties of the pure rules (hypothesis): display names, phone normalisation, money."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from clientele.domain.money import percent_out, round_cents
from clientele.domain.names import display_name, fold, sort_name
from clientele.domain.phones import DialingContext, PhoneError, normalise_phone

names = st.one_of(st.none(), st.text(max_size=40))
# Brackets of its own in a name ("0" and ")" → "0 ())") are the user's, not stray ones we added.
bracketless = st.one_of(st.none(), st.text(alphabet=st.characters(exclude_characters="()"), max_size=40))


@given(bracketless, bracketless, bracketless)
def test_display_name_never_has_stray_spaces_or_empty_brackets(first: str | None, last: str | None,
                                                               company: str | None) -> None:
    shown = display_name(first, last, company)
    assert shown == shown.strip()
    assert "  " not in shown
    assert "()" not in shown and "( " not in shown and " )" not in shown


@given(names, names, names)
def test_display_name_contains_the_company_in_brackets_only_with_a_person(first: str | None, last: str | None,
                                                                         company: str | None) -> None:
    shown = display_name(first, last, company)
    person = " ".join(" ".join((p or "").split()) for p in (first, last) if p and p.split())
    company_clean = " ".join((company or "").split())
    if person and company_clean:
        assert shown == f"{person} ({company_clean})"
    else:
        assert shown == (person or company_clean)


@given(st.text(max_size=300))
def test_sort_names_are_folded_prefixes_within_the_key_budget(name: str) -> None:
    key = sort_name(name)
    assert len(key.encode()) <= 600
    assert fold(name).startswith(key)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["US", "KN", "GB", "DE", "IN", "AU"]), st.from_regex(r"\+?[0-9 ()-]{3,20}", fullmatch=True))
def test_phone_normalisation_is_idempotent(country: str, raw: str) -> None:
    context = DialingContext(country, "212" if country == "US" else None)
    try:
        once = normalise_phone(raw, context)
    except PhoneError:
        return
    assert once.startswith("+")
    assert normalise_phone(once, context) == once


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, allow_infinity=False))
def test_rounding_to_cents_is_within_half_a_cent(value: Decimal) -> None:
    rounded = round_cents(value)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - value) <= Decimal("0.005")


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_percentages_survive_the_json_number_round_trip(value: Decimal) -> None:
    out = percent_out(value)
    assert Decimal(str(out)) == value
