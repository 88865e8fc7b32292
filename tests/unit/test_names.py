from clientele.domain.names import display_name, fold, has_required_name, sort_name


def test_person_and_company_read_first_last_then_company_in_brackets() -> None:
    assert display_name("Ada", "Lovelace", "Analytical Engines") == "Ada Lovelace (Analytical Engines)"


def test_company_alone_is_the_company() -> None:
    assert display_name(None, None, "Acme") == "Acme"


def test_person_alone_is_first_and_last() -> None:
    assert display_name("Ada", "Lovelace", None) == "Ada Lovelace"


def test_missing_parts_leave_no_stray_spaces_or_brackets() -> None:
    assert display_name("  Ada ", None, "  ") == "Ada"
    assert display_name(None, "Lovelace", "Acme") == "Lovelace (Acme)"


def test_a_first_name_or_a_company_name_is_required() -> None:
    assert has_required_name("Ada", None)
    assert has_required_name(None, "Acme")
    assert not has_required_name(None, None)
    assert not has_required_name("  ", "")


def test_folding_is_unicode_case_insensitive() -> None:
    assert fold("STRASSE") == fold("straße")


def test_sort_names_stay_under_the_sort_key_limit_for_long_cjk_names() -> None:
    assert len(sort_name("顧客" * 1000).encode()) <= 600
