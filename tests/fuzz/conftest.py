"""The fuzz suite drives the same local stack as tests/e2e (one server process per xdist worker)."""

from tests.e2e.conftest import stack

__all__ = ["stack"]
