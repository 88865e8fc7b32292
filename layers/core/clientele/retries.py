"""Retrying a conditional write that lost a race: the one pacing every service uses.

When N writers race on one item, each round lets exactly one of them win, so the last needs up to
N attempts; without a pause they collide again at once. Full jitter over an exponential ceiling
(AWS Architecture Blog, "Exponential Backoff and Jitter") spreads them. botocore's retries cover
throttling and 5xx, not a cancelled condition, and a library such as tenacity would add a
dependency to every function's cold start for these few lines (docs/decisions.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

# Eight concurrent writers on one item all land within these (tests/e2e/test_concurrency.py).
ATTEMPTS = 10
_BASE_SECONDS = 0.005
_CEILING_SECONDS = 0.1


def attempts(count: int = ATTEMPTS) -> Iterator[int]:
    """Yield 0..count-1, pausing a jittered, exponentially growing moment before every retry.

    ``for attempt in retries.attempts(): try: ...; return ... except Lost: continue``, then raise
    what a caller should see once every attempt lost.
    """
    for attempt in range(count):
        if attempt:
            time.sleep(random.uniform(0, min(_CEILING_SECONDS, _BASE_SECONDS * 2**attempt)))
        yield attempt
