import pytest

from clientele import cursors
from clientele.api.etags import etag, required_version
from clientele.errors import BadCursor, PreconditionRequired


def test_if_match_accepts_strong_and_weak_etags() -> None:
    assert required_version('"3"') == 3
    assert required_version('W/"3"') == 3


@pytest.mark.parametrize("value", [None, "", "*", "3", '"x"'])
def test_missing_star_or_unreadable_if_match_is_precondition_required(value: str | None) -> None:
    with pytest.raises(PreconditionRequired):
        required_version(value)


def test_etag_quotes_the_version() -> None:
    assert etag(7) == '"7"'


def test_cursor_round_trips_for_its_org_and_scope() -> None:
    cursor = cursors.encode("acme", "customers", {"PK": {"S": "x"}})
    assert cursors.decode("acme", "customers", cursor) == {"PK": {"S": "x"}}


def test_cursor_of_another_org_is_refused() -> None:
    cursor = cursors.encode("acme", "customers", {"PK": {"S": "x"}})
    with pytest.raises(BadCursor):
        cursors.decode("globex", "customers", cursor)


def test_edited_cursor_is_refused() -> None:
    cursor = cursors.encode("acme", "customers", {"PK": {"S": "x"}})
    assert cursor
    with pytest.raises(BadCursor):
        cursors.decode("acme", "customers", "A" + cursor[1:])
    with pytest.raises(BadCursor):
        cursors.decode("acme", "customers", "garbage")
