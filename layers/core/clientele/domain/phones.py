"""Phone normalisation with the organisation's default country and area code.

phonenumbers knows each region's numbering plan, including numbers that are only dialable
locally; it is imported on first use because it costs ~35 ms of cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clientele.domain.emails import MAX_ENTRIES, split_list
from clientele.errors import FieldError


@dataclass(frozen=True, slots=True)
class DialingContext:
    default_country: str
    default_area_code: str | None


class PhoneError(ValueError):
    pass


def _format(phonenumbers: Any, number: Any) -> str:
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)).removeprefix("tel:")


def _canonical(phonenumbers: Any, number: Any, text: str, region: str | None) -> str:
    """The stored form, which must read back as itself: a degenerate number (``000000`` in DE loses
    a leading zero each time it is read again) would otherwise change on every save and never match."""
    formatted = _format(phonenumbers, number)
    if _format(phonenumbers, phonenumbers.parse(formatted, None)) != formatted:
        raise PhoneError(f"'{text}' cannot be a phone number in {region or 'any region'}.")
    return formatted


def normalise_phone(raw: str, context: DialingContext) -> str:
    """`+<cc>-<groups>`; raises PhoneError with a message a person can act on."""
    import phonenumbers
    from phonenumbers import NumberParseException, ValidationResult

    text = raw.strip()
    if not text:
        raise PhoneError("A phone number cannot be empty.")
    if len(text) > 40:
        raise PhoneError("A phone number has at most 40 characters.")
    region = None if text.startswith("+") else context.default_country
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise PhoneError(f"'{text}' is not a phone number ({exc._msg}).") from exc

    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.IS_POSSIBLE:
        return _canonical(phonenumbers, number, text, region)
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY and not text.startswith("+"):
        if not context.default_area_code:
            raise PhoneError(
                f"'{text}' is a local number; set defaultAreaCode in settings or include the area code."
            )
        national = phonenumbers.national_significant_number(number)
        with_area = phonenumbers.parse(context.default_area_code + national, region)
        if phonenumbers.is_possible_number(with_area):
            return _canonical(phonenumbers, with_area, text, region)
    raise PhoneError(f"'{text}' cannot be a phone number in {region or 'any region'}.")


def normalise_phones(
    value: str | list[str] | None, context: DialingContext, field: str = "phones"
) -> tuple[list[str], list[FieldError]]:
    result: list[str] = []
    errors: list[FieldError] = []
    entries = split_list(value)
    if len(entries) > MAX_ENTRIES:
        return [], [FieldError(field, f"At most {MAX_ENTRIES} phone numbers are allowed.")]
    for index, entry in enumerate(entries):
        try:
            phone = normalise_phone(entry, context)
        except PhoneError as exc:
            errors.append(FieldError(f"{field}[{index}]", str(exc)))
            continue
        if phone not in result:
            result.append(phone)
    return result, errors
