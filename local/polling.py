"""Waiting for what happens in the background (stream-derived data, jobs, deliveries): one helper for
the tests, the bench and the local stack.

Derived data lags its write by design (the stream, the job queues), and on a busy machine — CI on two
cores, a second suite running beside it — by more than it does on a quiet one. So a wait is a poll
with a generous bound that fails with what it last saw, never a fixed sleep and never an assertion
on how long it took (the bench measures that).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, overload

GENEROUS = 30.0  # seconds: a ceiling for a loaded machine; the local stack usually takes well under 2 s
INTERVAL = 0.05


class NotYet(AssertionError):
    """The awaited state did not arrive within the bound; the message names what was last seen."""


@overload
def eventually[T](read: Callable[[], T], expected: Callable[[T], bool], within: float = ...,
                  interval: float = ...) -> T: ...
@overload
def eventually[T](read: Callable[[], T], expected: Any, within: float = ..., interval: float = ...) -> T: ...


def eventually[T](read: Callable[[], T], expected: Any, within: float = GENEROUS, interval: float = INTERVAL) -> T:
    """Call ``read`` until its value is ``expected`` (a value compared with ``==``, or a predicate
    taking the value) and return that value; raise :class:`NotYet` after ``within`` seconds.

    ``read`` may raise an ``AssertionError`` while the state is not there yet; that counts as
    "not yet", and the last one is chained to the failure.
    """
    matches: Callable[[T], bool] = expected if callable(expected) else (lambda value: value == expected)
    deadline = time.monotonic() + within
    last: Any = None
    last_error: AssertionError | None = None
    while True:
        try:
            value = read()
        except AssertionError as error:
            last_error = error
        else:
            if matches(value):
                return value
            last, last_error = value, None
        if time.monotonic() >= deadline:
            wanted = getattr(expected, "__name__", None) if callable(expected) else repr(expected)
            raise NotYet(f"after {within:g} s still {last!r}; expected {wanted}") from last_error
        time.sleep(interval)


def seconds_until(read: Callable[[], Any], expected: Any, within: float = GENEROUS) -> float:
    """How long ``read`` took to show ``expected`` (for the bench: a figure, never a test's assertion)."""
    started = time.monotonic()
    eventually(read, expected, within)
    return time.monotonic() - started
